namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// Every error of the HTTP API as RFC 9457 problem details: <c>title</c> from the status, <c>detail</c> saying what
/// went wrong, and the task's <c>id</c> when there is one.
/// </summary>
public static class ApiProblem
{
    public static IResult Create(int status, string detail, Guid? id = null, IDictionary<string, object?>? more = null)
    {
        var extensions = new Dictionary<string, object?>(more ?? new Dictionary<string, object?>());
        if (id is { } taskId)
        {
            extensions["id"] = taskId;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);
    }

    public static IResult NotFound(Guid id) => Create(StatusCodes.Status404NotFound, $"task {id} is unknown or expired", id);

    public static IResult BadRequest(string detail, Guid? id = null) => Create(StatusCodes.Status400BadRequest, detail, id);

    public static IResult Conflict(string detail, Guid? id = null) => Create(StatusCodes.Status409Conflict, detail, id);

    public static IResult Starting() => Create(StatusCodes.Status503ServiceUnavailable, "the scheduler is starting");

    /// <summary>
    /// The journal cannot write (a full disk, an I/O error): nothing is accepted until it can, and
    /// <paramref name="refusal"/> says why. The caller sends the same request again later.
    /// </summary>
    public static IResult JournalCannotWrite(string refusal, Guid? id = null) =>
        Create(StatusCodes.Status503ServiceUnavailable, refusal, id);

    /// <summary>The loop did not answer in time: nothing is lost, the caller may ask again.</summary>
    public static IResult NotInTime(string what, Guid? id = null) =>
        Create(StatusCodes.Status503ServiceUnavailable, $"the scheduler did not journal {what} in time; ask again", id);
}
