using System.Collections.Concurrent;

namespace FogLens.CloudPortal.Auth;

/// <summary>
/// Slows password guessing: after <see cref="MaxFailures"/> failed logins within <see cref="Window"/> for one
/// user name, or for one client address, further attempts on that key are refused without checking the
/// password until the lock ends; each further lock doubles, up to <see cref="MaxLockout"/>. A successful
/// login clears the user's key. Kept in memory (per portal replica); bounded in size.
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    public const int MaxFailures = 5;
    public const int MaxTrackedKeys = 100_000;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan FirstLockout = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxLockout = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How long attempts for this user or from this address stay refused (zero: go ahead).</summary>
    public TimeSpan RetryAfter(string? user, string? address)
    {
        var now = time.GetUtcNow();
        var wait = TimeSpan.Zero;
        foreach (var key in Keys(user, address))
        {
            if (_entries.TryGetValue(key, out var e) && e.LockedUntil > now && e.LockedUntil - now > wait)
            {
                wait = e.LockedUntil - now;
            }
        }

        return wait;
    }

    public void Failed(string? user, string? address)
    {
        var now = time.GetUtcNow();
        if (_entries.Count >= MaxTrackedKeys)
        {
            Prune(now);
        }

        foreach (var key in Keys(user, address))
        {
            _entries.AddOrUpdate(key, _ => new Entry(now, 1, DateTimeOffset.MinValue, 0), (_, e) => Next(e, now));
        }
    }

    public void Succeeded(string? user) => _entries.TryRemove("u:" + user, out _);

    private static Entry Next(Entry e, DateTimeOffset now)
    {
        var failures = now - e.FirstFailure > Window ? 1 : e.Failures + 1;
        var first = failures == 1 ? now : e.FirstFailure;
        if (failures < MaxFailures)
        {
            return e with { FirstFailure = first, Failures = failures };
        }

        var lockout = TimeSpan.FromTicks(Math.Min(MaxLockout.Ticks, FirstLockout.Ticks << Math.Min(e.Locks, 10)));
        return new Entry(now, 0, now + lockout, e.Locks + 1);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, e) in _entries)
        {
            if (e.LockedUntil < now && now - e.FirstFailure > Window)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private static IEnumerable<string> Keys(string? user, string? address)
    {
        if (!string.IsNullOrEmpty(user))
        {
            yield return "u:" + (user.Length > 64 ? user[..64] : user);
        }

        if (!string.IsNullOrEmpty(address))
        {
            yield return "a:" + address;
        }
    }

    private sealed record Entry(DateTimeOffset FirstFailure, int Failures, DateTimeOffset LockedUntil, int Locks);
}
