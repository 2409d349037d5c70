namespace FogLens.FogService.Common;

/// <summary>Keys of the fog's keyed services.</summary>
public static class FogServiceKeys
{
    /// <summary>The session, outbox and sender of the link to the cloud portal's broker.</summary>
    public const string Cloud = "cloud";

    /// <summary>Configuration section of the MQTT connection to the cloud portal's broker.</summary>
    public const string CloudSection = "Cloud";
}
