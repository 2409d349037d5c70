using System.Diagnostics;

namespace FogLens.CloudPortal.Common;

/// <summary>The portal's activity source (<c>FogLens.Portal</c>): windows stored, rounds opened, updates taken, rounds closed.</summary>
internal static class PortalTelemetry
{
    public static readonly ActivitySource Source = new("FogLens.Portal");
}
