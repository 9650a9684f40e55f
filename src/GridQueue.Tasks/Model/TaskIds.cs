using System.Security.Cryptography;

namespace GridQueue.Tasks.Model;

/// <summary>
/// Task ids: "tsk_" and 26 Crockford base-32 characters of a ULID (48-bit millisecond time, 80 random bits). They
/// sort by creation time, which lets the list endpoint page by id; within one millisecond a process increments the
/// random part, so its own ids never go backwards.
/// </summary>
public static class TaskIds
{
    public const string Prefix = "tsk_";
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly Lock Gate = new();
    private static long _lastMs = -1;
    private static UInt128 _lastRandom;

    public static string New(DateTimeOffset now)
    {
        var ms = Math.Max(0, now.ToUnixTimeMilliseconds());
        UInt128 random;
        lock (Gate)
        {
            if (ms <= _lastMs)
            {
                ms = _lastMs;
                random = _lastRandom + 1;
            }
            else
            {
                Span<byte> bytes = stackalloc byte[16];
                RandomNumberGenerator.Fill(bytes);
                random = new UInt128(BitConverter.ToUInt64(bytes[..8]) & 0xFFFF, BitConverter.ToUInt64(bytes[8..]));
            }

            _lastMs = ms;
            _lastRandom = random;
        }

        Span<char> chars = stackalloc char[26];
        var value = ((UInt128)(ulong)ms << 80) | (random & ((UInt128.One << 80) - 1));
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return Prefix + new string(chars);
    }

    /// <summary>True for a string shaped like a task id (used to reject garbage before touching storage).</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: 30 } && id.StartsWith(Prefix, StringComparison.Ordinal) && id.AsSpan(4).IndexOfAnyExcept(Alphabet) < 0;
}
