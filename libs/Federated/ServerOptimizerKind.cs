namespace FogLens.Federated;

/// <summary>How the coordinator turns the averaged fog update into the next global model.</summary>
public enum ServerOptimizerKind
{
    /// <summary>W' = W + η·v with v = β·v + Δ̄ (FedAvg with β = 0 and η = 1; FedAvgM with β &gt; 0).</summary>
    Sgd,

    /// <summary>FedAdam (Reddi et al. 2021): Adam on the pseudo-gradient −Δ̄ with adaptivity τ.</summary>
    Adam,
}
