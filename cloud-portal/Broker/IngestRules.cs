using System.ComponentModel.DataAnnotations;
using FogLens.Contracts.Messages;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Broker;

/// <summary>Plausibility limits of ingest (section "Ingest").</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>How far a window's end may lie in the portal's future (fog clocks drift).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Oldest window accepted (a fog's outbox may hold windows from a long outage).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan MaxWindowAge { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>
/// The rules a parsed message must pass before the portal stores it; pure, so they are tested without a
/// host. Edges are bound to the fog that first reported them: another fog cannot report for them or move them.
/// </summary>
public static class IngestRules
{
    public static IngestRefusal? CheckWindow(FogDemographics window, DateTimeOffset now, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(options);
        if (window.WindowEnd > now + options.MaxClockSkew)
        {
            return IngestRefusal.WindowInFuture;
        }

        return window.WindowEnd < now - options.MaxWindowAge ? IngestRefusal.WindowTooOld : null;
    }

    /// <summary>Whether <paramref name="fogId"/> may report for an edge currently bound to <paramref name="boundFog"/> (null: not bound yet).</summary>
    public static bool MayReportFor(string fogId, string? boundFog) => boundFog is null || boundFog == fogId;
}
