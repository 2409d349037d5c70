namespace FogLens.CloudPortal.Components;

/// <summary>
/// When a part of a live page is due for reloading: at once when the page's filters change, else once its period has
/// passed since the last load, so that a page refreshed every few seconds reloads its heavy parts only now and then.
/// </summary>
public sealed class RefreshCadence
{
    private string? _key;
    private DateTimeOffset _last;

    /// <summary>Whether to reload for filters <paramref name="key"/> at <paramref name="now"/>; if so, counts it as loaded.</summary>
    public bool IsDue(string key, DateTimeOffset now, TimeSpan period)
    {
        if (key == _key && now - _last < period && now >= _last)
        {
            return false;
        }

        (_key, _last) = (key, now);
        return true;
    }
}
