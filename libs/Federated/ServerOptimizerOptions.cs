namespace FogLens.Federated;

/// <summary>
/// Server optimiser of the federated rounds (Reddi et al. 2021, "Adaptive Federated Optimization";
/// Hsu et al. 2019, FedAvgM). The defaults are plain FedAvg. BatchNorm running statistics are not
/// gradients and always take the plain average.
/// </summary>
public sealed record ServerOptimizerOptions
{
    public ServerOptimizerKind Kind { get; init; } = ServerOptimizerKind.Sgd;

    /// <summary>Server learning rate η.</summary>
    public double LearningRate { get; init; } = 1;

    /// <summary>Server momentum β (FedAvgM); 0 for FedAvg. For Adam: β₁.</summary>
    public double Momentum { get; init; }

    /// <summary>FedAdam's β₂.</summary>
    public double Beta2 { get; init; } = 0.99;

    /// <summary>FedAdam's adaptivity τ (the ε of Adam; large values make it behave like momentum SGD).</summary>
    public double Epsilon { get; init; } = 1e-3;

    public void Validate()
    {
        if (!(LearningRate > 0 && LearningRate <= 100) || !(Momentum >= 0 && Momentum < 1) || !(Beta2 >= 0 && Beta2 < 1) || !(Epsilon > 0 && double.IsFinite(Epsilon)))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), "server learning rate must be in (0, 100], momentum and β₂ in [0, 1), ε positive");
        }
    }

    /// <summary>Parses "sgd"/"fedavg"/"fedavgm" or "adam"/"fedadam".</summary>
    public static ServerOptimizerKind ParseKind(string name) => name?.ToUpperInvariant() switch
    {
        "SGD" or "FEDAVG" or "FEDAVGM" => ServerOptimizerKind.Sgd,
        "ADAM" or "FEDADAM" => ServerOptimizerKind.Adam,
        _ => throw new ArgumentException($"server optimiser must be sgd or adam, not '{name}'", nameof(name)),
    };
}
