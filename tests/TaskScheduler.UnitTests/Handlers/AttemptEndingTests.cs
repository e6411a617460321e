using TaskScheduler.Contracts;
using TaskScheduler.Worker.Agent;
using TaskScheduler.Worker.Handlers;

namespace TaskScheduler.UnitTests.Handlers;

public class AttemptEndingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1.5);

    [Test]
    public void WithoutAStop_TheHandlersAnswerIsReported()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Decide(StopReason.None, TaskResult.Completed("42")), Is.EqualTo(AttemptEnd.Completed("42")));
            Assert.That(Decide(StopReason.None, TaskResult.Failed("no input")), Is.EqualTo(AttemptEnd.Failed("no input")));
            Assert.That(Decide(StopReason.None, new InvalidOperationException("the disk is full")),
                Is.EqualTo(AttemptEnd.Failed("System.InvalidOperationException: the disk is full")));
            Assert.That(Decide(StopReason.None, TaskResult.Paused("7")).Kind, Is.EqualTo(AttemptEndKind.Finished), "pausing unasked is a failure");
            Assert.That(Decide(StopReason.None, TaskResult.Paused("7")).Outcome, Is.EqualTo(TaskOutcome.Failed));
        }
    }

    [Test]
    public void APreemptedHandler_PausesWithItsCheckpoint_OrTheLastSavedOne()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Decide(StopReason.Preempted, TaskResult.Paused("row 9")), Is.EqualTo(AttemptEnd.Paused("row 9")));
            Assert.That(Decide(StopReason.Preempted, new OperationCanceledException()), Is.EqualTo(AttemptEnd.Paused("saved")));
            Assert.That(Decide(StopReason.Preempted, HandlerOutcome.Abandoned), Is.EqualTo(AttemptEnd.Paused("saved")), "deaf to its token");
            Assert.That(Decide(StopReason.Preempted, TaskResult.Completed("done anyway")), Is.EqualTo(AttemptEnd.Completed("done anyway")));
        }
    }

    [Test]
    public void ATimedOutAttempt_Fails_SayingAfterHowLong_UnlessItCompleted()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Decide(StopReason.TimedOut, new OperationCanceledException()), Is.EqualTo(AttemptEnd.Failed("timed out after 1.5s")));
            Assert.That(Decide(StopReason.TimedOut, HandlerOutcome.Abandoned), Is.EqualTo(AttemptEnd.Failed("timed out after 1.5s")));
            Assert.That(Decide(StopReason.TimedOut, TaskResult.Paused("3")), Is.EqualTo(AttemptEnd.Failed("timed out after 1.5s")));
            Assert.That(Decide(StopReason.TimedOut, TaskResult.Completed("just in time")), Is.EqualTo(AttemptEnd.Completed("just in time")));
        }
    }

    [Test]
    public void ACancelledAttempt_IsDropped_WhateverItsHandlerDid()
    {
        Assert.That(new[]
        {
            Decide(StopReason.Cancelled, TaskResult.Completed("late")),
            Decide(StopReason.Cancelled, new OperationCanceledException()),
            Decide(StopReason.Cancelled, HandlerOutcome.Abandoned),
        }, Is.All.EqualTo(AttemptEnd.Dropped));
    }

    [Test]
    public void ADrainedAttempt_IsHandedBack_WithItsNewestCheckpoint_UnlessItFinished()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Decide(StopReason.Draining, TaskResult.Paused("row 9")), Is.EqualTo(AttemptEnd.HandedBack("row 9")));
            Assert.That(Decide(StopReason.Draining, new OperationCanceledException()), Is.EqualTo(AttemptEnd.HandedBack("saved")));
            Assert.That(Decide(StopReason.Draining, TaskResult.Completed("made it")), Is.EqualTo(AttemptEnd.Completed("made it")));
        }
    }

    [Test]
    public void AResultOverOneMebibyte_FailsTheAttempt_InsteadOfBeingSent()
    {
        var atLimit = new string('a', Limits.MaxResultBytes);
        var over = new string('é', Limits.MaxResultBytes / 2 + 1); // two bytes each as UTF-8
        using (Assert.EnterMultipleScope())
        {
            Assert.That(AttemptEnding.Completed(atLimit), Is.EqualTo(AttemptEnd.Completed(atLimit)));
            Assert.That(AttemptEnding.Completed(over).Error, Is.EqualTo($"the result is {Limits.MaxResultBytes + 2} bytes as UTF-8, over the limit of {Limits.MaxResultBytes}; it was not sent"));
        }
    }

    [Test]
    public void AnError_IsBounded()
    {
        var error = Decide(StopReason.None, new InvalidOperationException(new string('x', 100_000))).Error;
        Assert.That(error, Has.Length.EqualTo(AttemptEnding.MaxErrorLength).And.EndsWith("…"));
    }

    private static AttemptEnd Decide(StopReason reason, TaskResult result) => Decide(reason, HandlerOutcome.Of(result));

    private static AttemptEnd Decide(StopReason reason, Exception thrown) => Decide(reason, HandlerOutcome.Of(thrown));

    private static AttemptEnd Decide(StopReason reason, HandlerOutcome outcome) => AttemptEnding.Decide(reason, outcome, "saved", Timeout);
}
