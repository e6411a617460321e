namespace TaskScheduler.Scheduler.Core;

public enum SubmitOutcome
{
    /// <summary>New task, now Pending.</summary>
    Accepted,

    /// <summary>The same id with the same content was accepted before: nothing to do.</summary>
    Duplicate,

    /// <summary>The id is taken by a task with other content: the submission is rejected.</summary>
    Conflict,
}
