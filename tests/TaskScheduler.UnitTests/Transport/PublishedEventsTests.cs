using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.UnitTests;

/// <summary>Events:States: which task events a deployment publishes.</summary>
public class PublishedEventsTests
{
    [Test]
    public void ByDefault_EveryStateAndRejectionsArePublished()
    {
        var published = new EventsOptions().Published();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Enum.GetValues<TaskState>().All(published.Publishes), Is.True);
            Assert.That(published.PublishesRejections, Is.True);
            Assert.That(published.PublishesEnds, Is.True);
            Assert.That(published.ToString(), Is.EqualTo("pending,running,completed,failed,cancelled,rejected"));
        }
    }

    [Test]
    public void AListPublishesOnlyThoseStates_InAnyCaseAndSpacing()
    {
        var published = new EventsOptions { States = " Completed , FAILED,cancelled" }.Published();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(published.Publishes(TaskState.Completed), Is.True);
            Assert.That(published.Publishes(TaskState.Failed), Is.True);
            Assert.That(published.Publishes(TaskState.Cancelled), Is.True);
            Assert.That(published.Publishes(TaskState.Pending), Is.False);
            Assert.That(published.Publishes(TaskState.Running), Is.False);
            Assert.That(published.PublishesRejections, Is.False);
            Assert.That(published.PublishesEnds, Is.False, "a refused submission would not be heard of");
        }
    }

    [TestCase("")]
    [TestCase("none")]
    [TestCase(" , ")]
    public void NoneOrAnEmptyList_PublishesNoTaskEvent(string states)
    {
        var published = new EventsOptions { States = states }.Published();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Enum.GetValues<TaskState>().Any(published.Publishes), Is.False);
            Assert.That(published.PublishesRejections, Is.False);
            Assert.That(published.ToString(), Is.EqualTo("none"));
        }
    }

    [TestCase("completed,done")]
    [TestCase("all,pending")]
    [TestCase("heartbeat")]
    public void AnUnknownName_IsRefusedUnderItsKey_NamingTheChoices(string states)
    {
        var problems = new EventsOptions { States = states }.Validate().ToList();

        Assert.That(problems, Has.One.StartsWith("Events:States lists '").And.One.Contains("pending, running, completed, failed, cancelled, rejected"));
    }
}
