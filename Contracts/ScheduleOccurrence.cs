using System.Security.Cryptography;
using System.Text;

namespace TaskScheduler.Contracts;

/// <summary>
/// The task id of one occurrence of a schedule: derived from the schedule's uid and the fire time, so an occurrence
/// fired again (after a restart, or a broker failover that redelivers) is the same task and runs once. Shaped as a
/// UUIDv4 (version and variant bits set), as every task id is; the other 122 bits come from SHA-256.
/// </summary>
public static class ScheduleOccurrence
{
    public static Guid TaskId(Guid scheduleUid, DateTimeOffset fireAt)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes(string.Create(
            System.Globalization.CultureInfo.InvariantCulture, $"schedule:{scheduleUid:N}:{fireAt.UtcTicks}")), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
