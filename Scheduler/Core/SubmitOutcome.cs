namespace TaskScheduler.Scheduler.Core;

public enum SubmitOutcome
{
    /// <summary>New task (or graph), now Pending.</summary>
    Accepted,

    /// <summary>The same id with the same content was accepted before: nothing to do.</summary>
    Duplicate,

    /// <summary>The id is taken by a task with other content: the submission is rejected.</summary>
    Conflict,

    /// <summary>The submission contradicts what the scheduler knows (unknown dependency, a cycle): rejected.</summary>
    Invalid,
}
