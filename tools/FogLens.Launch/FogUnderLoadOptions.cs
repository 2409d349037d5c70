namespace FogLens.Launch;

/// <summary>What <see cref="FogUnderLoad"/> starts.</summary>
public sealed record FogUnderLoadOptions
{
    /// <summary>Broker files, the fog's data directory and one log per process.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Edge ids to create credentials for.</summary>
    public required IReadOnlyList<string> Edges { get; init; }

    /// <summary>Mosquitto as the edge broker (the fog subscribes with its account); otherwise the fog's embedded broker.</summary>
    public bool ExternalEdgeBroker { get; init; }

    /// <summary>The edge Mosquitto saves its persistence file after this many changes (1, as the shipped configuration).</summary>
    public int BrokerSaveEvery { get; init; } = 1;

    /// <summary><c>fp32</c> or <c>int8</c> (<c>Fog:ModelPrecision</c>).</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary>The fog's ONNX model; null: the shipped <c>models/age/age-net.onnx</c>.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The fog's demographics window (the fog's default; a short test may pass a shorter one).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan WindowGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra fog settings as <c>--Section:Key=value</c>.</summary>
    public IReadOnlyList<string> FogArguments { get; init; } = [];
}
