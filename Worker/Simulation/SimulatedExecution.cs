using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace TaskScheduler.Worker.Simulation;

/// <summary>
/// Derives a task's behaviour from a stable hash of its payload (SHA-256, the same on every machine and run), so
/// the same payload always runs as long and ends the same way: duration uniform in [MinRunTime, MaxRunTime],
/// failure with probability FailureRate. A payload starting with a <see cref="RunTimeHint"/> (<c>sim:run=250ms;</c>)
/// runs exactly that long instead; whether it fails still comes from the hash.
/// </summary>
public static class SimulatedExecution
{
    public static ExecutionPlan Plan(string payload, TimeSpan minRunTime, TimeSpan maxRunTime, double failureRate)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(payload), hash);
        var forDuration = BinaryPrimitives.ReadUInt64LittleEndian(hash[..8]);
        var forOutcome = BinaryPrimitives.ReadUInt64LittleEndian(hash[8..16]);

        var spread = (ulong)Math.Max(0, (maxRunTime - minRunTime).Ticks);
        var duration = RunTimeHint.TryRead(payload, out var hinted)
            ? hinted
            : minRunTime + TimeSpan.FromTicks(spread == 0 ? 0 : (long)(forDuration % (spread + 1)));

        var fails = (forOutcome % 1_000_000) < (ulong)Math.Round(Math.Clamp(failureRate, 0, 1) * 1_000_000);
        var error = fails ? $"simulated failure (payload hash {Convert.ToHexString(hash[..4])})" : null;
        return new ExecutionPlan(duration, fails, error);
    }
}
