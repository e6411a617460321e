using System.Collections;
using System.Reflection;
using LiteDB;

namespace TaskScheduler.UnitTests;

/// <summary>
/// How many query expressions LiteDB has compiled and keeps for the life of the process (two static caches in
/// <see cref="BsonExpression"/>, of scalar and of enumerable expressions, never trimmed). A journal query that writes a value into its text adds one per call:
/// the scheduler's memory then grows with tasks processed (see JournalQuery).
/// </summary>
internal static class CompiledQueries
{
    public static int Count => Cached("_cacheScalar") + Cached("_cacheEnumerable");

    private static int Cached(string field)
    {
        var cache = typeof(BsonExpression).GetField(field, BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as ICollection;
        Assert.That(cache, Is.Not.Null, $"LiteDB's compiled-expression cache {field} has moved: revisit JournalQuery with this LiteDB version");
        return cache!.Count;
    }
}
