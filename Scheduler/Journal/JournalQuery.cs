using LiteDB;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// The journal's queries, with their values passed as parameters. LiteDB 5's <see cref="Query"/> helpers write the
/// values into the expression's text, and LiteDB compiles each distinct text once, into a delegate it keeps for the
/// life of the process (a static cache in <see cref="BsonExpression"/>, never trimmed). A query with a new value at
/// every call (an expiry slice's cutoff, a list page's cursor, a sequence number) therefore left a compiled expression
/// behind per call: managed objects and JIT-compiled code outside the managed heap, the scheduler's working set
/// rising about 80 MiB per million tasks. Here the text names only the field and the parameters, so each query's
/// text is compiled once and the values travel with each call. (No <c>IN @0</c>: LiteDB 5.0.21's index planner fails
/// on an array parameter; look ids up one by one instead, which its <c>IN</c> scan is slower than anyway.)
/// </summary>
internal static class JournalQuery
{
    /// <summary><paramref name="field"/> between <paramref name="low"/> and <paramref name="high"/>, both included.</summary>
    public static BsonExpression Between(string field, BsonValue low, BsonValue high) =>
        BsonExpression.Create($"{field} BETWEEN @0 AND @1", low, high);

    /// <summary><paramref name="field"/> greater than <paramref name="value"/>.</summary>
    public static BsonExpression After(string field, BsonValue value) => BsonExpression.Create($"{field} > @0", value);

    /// <summary><paramref name="field"/> equal to <paramref name="value"/>.</summary>
    public static BsonExpression EQ(string field, BsonValue value) => BsonExpression.Create($"{field} = @0", value);

    /// <summary><paramref name="field"/> at least <paramref name="value"/>.</summary>
    public static BsonExpression AtLeast(string field, BsonValue value) => BsonExpression.Create($"{field} >= @0", value);

    /// <summary>
    /// <paramref name="field"/>, a string, starting with <paramref name="prefix"/>: a LIKE pattern, so the prefix must
    /// hold no <c>%</c> or <c>_</c> (LiteDB has no escape for them); text from users goes through <see cref="AtLeast"/>.
    /// </summary>
    public static BsonExpression StartsWith(string field, string prefix) => BsonExpression.Create($"{field} LIKE @0", prefix + "%");
}
