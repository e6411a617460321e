using TaskScheduler.Contracts;
using TaskScheduler.Worker.Simulation;

namespace TaskScheduler.UnitTests;

public class SimulatedExecutionTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(3);

    private static IEnumerable<string> Payloads(int count) =>
        Enumerable.Range(0, count).Select(i => $"resize image {i}");

    [Test]
    public void Plan_IsTheSame_ForTheSamePayload()
    {
        var first = SimulatedExecution.Plan("resize image 42", Min, Max, 0.5);
        var again = SimulatedExecution.Plan(new string("resize image 42".ToCharArray()), Min, Max, 0.5);

        Assert.That(again, Is.EqualTo(first));
    }

    [Test]
    public void Plan_IsTheSame_ForTheSamePayload_AcrossManyPayloads()
    {
        var first = Payloads(200).Select(p => SimulatedExecution.Plan(p, Min, Max, 0.3)).ToList();
        var second = Payloads(200).Select(p => SimulatedExecution.Plan(p, Min, Max, 0.3)).ToList();

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void Plan_KeepsDurationWithinMinAndMax_AndUsesTheWholeRange()
    {
        var durations = Payloads(2000).Select(p => SimulatedExecution.Plan(p, Min, Max, 0).Duration).ToList();
        var tenth = (Max - Min) / 10;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(durations, Is.All.InRange(Min, Max));
            Assert.That(durations.Min(), Is.LessThan(Min + tenth), "durations should reach down to the minimum");
            Assert.That(durations.Max(), Is.GreaterThan(Max - tenth), "durations should reach up to the maximum");
        }
    }

    [Test]
    public void Plan_ProducesEveryDurationOfATinyRange_IncludingBothEnds()
    {
        var min = TimeSpan.FromTicks(10);
        var max = TimeSpan.FromTicks(13);

        var durations = Payloads(2000).Select(p => SimulatedExecution.Plan(p, min, max, 0).Duration).Distinct();

        Assert.That(durations, Is.EquivalentTo(new[] { min, min + TimeSpan.FromTicks(1), min + TimeSpan.FromTicks(2), max }));
    }

    [Test]
    public void Plan_RunsExactlyThatLong_WhenMinEqualsMax()
    {
        var durations = Payloads(50).Select(p => SimulatedExecution.Plan(p, Max, Max, 0).Duration);

        Assert.That(durations, Is.All.EqualTo(Max));
    }

    [Test]
    public void Plan_NeverFails_WhenFailureRateIsZero()
    {
        var plans = Payloads(2000).Select(p => SimulatedExecution.Plan(p, Min, Max, 0)).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plans.Select(p => p.Fails), Is.All.False);
            Assert.That(plans.Select(p => p.Error), Is.All.Null);
        }
    }

    [Test]
    public void Plan_AlwaysFails_WithAnError_WhenFailureRateIsOne()
    {
        var plans = Payloads(2000).Select(p => SimulatedExecution.Plan(p, Min, Max, 1)).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plans.Select(p => p.Fails), Is.All.True);
            Assert.That(plans.Select(p => p.Error), Is.All.Not.Null.And.Not.Empty);
        }
    }

    [Test]
    public void Plan_FailsAtRoughlyTheConfiguredRate()
    {
        var failures = Payloads(5000).Count(p => SimulatedExecution.Plan(p, Min, Max, 0.2).Fails);

        Assert.That(failures / 5000.0, Is.InRange(0.15, 0.25));
    }

    [Test]
    public void Plan_FailsTheSamePayloads_RegardlessOfDurationSettings()
    {
        var shortRuns = Payloads(500).Select(p => SimulatedExecution.Plan(p, TimeSpan.Zero, TimeSpan.FromMilliseconds(1), 0.2).Fails);
        var longRuns = Payloads(500).Select(p => SimulatedExecution.Plan(p, Min, Max, 0.2).Fails);

        Assert.That(longRuns, Is.EqualTo(shortRuns));
    }

    [Test]
    public void Plan_RunsAsLongAsTheHintSays_WhenThePayloadStartsWithOne()
    {
        var payloads = new[] { RunTimeHint.Format(TimeSpan.FromMilliseconds(1234)) + "resize image 42", "sim:run=0ms;", "sim:run=5000ms" };

        var durations = payloads.Select(p => SimulatedExecution.Plan(p, Min, Max, 0).Duration);

        Assert.That(durations, Is.EqualTo(new[] { TimeSpan.FromMilliseconds(1234), TimeSpan.Zero, TimeSpan.FromSeconds(5) }));
    }

    [Test]
    public void Plan_IgnoresAMalformedHint_AndDerivesTheDurationFromTheHash()
    {
        var payloads = new[] { "sim:run=12s;", "sim:run=-5ms;", "sim:run=ms;", "sim:run=99999999999ms;", " sim:run=5ms;" };

        var durations = payloads.Select(p => SimulatedExecution.Plan(p, Min, Max, 0).Duration);

        Assert.That(durations, Is.All.InRange(Min, Max));
    }

    [Test]
    public void RunTimeHint_RoundTrips_AndRefusesWhatItCannotExpress()
    {
        var hint = RunTimeHint.Format(TimeSpan.FromMilliseconds(7));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hint, Is.EqualTo("sim:run=7ms;"));
            Assert.That(RunTimeHint.TryRead(hint + "rest", out var read) ? read : TimeSpan.MinValue, Is.EqualTo(TimeSpan.FromMilliseconds(7)));
            Assert.That(() => RunTimeHint.Format(TimeSpan.FromMilliseconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => RunTimeHint.Format(TimeSpan.FromDays(2)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        }
    }
}
