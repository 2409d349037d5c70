using System.Diagnostics;

namespace FogLens.FogService.Common;

/// <summary>The fog's activity source (<c>FogLens.Fog</c>): crops received and inferred, windows closed, rounds trained.</summary>
internal static class FogTelemetry
{
    public static readonly ActivitySource Source = new("FogLens.Fog");
}
