namespace FogLens.Federated.Experiments;

/// <summary>One line of a run's <c>rounds.jsonl</c>; round 0 is the base model before any update.</summary>
/// <param name="Round">Round number (0 = base model).</param>
/// <param name="Mae">Validation MAE of the global model after this round, in years.</param>
/// <param name="GroupMae">Validation MAE per age group.</param>
/// <param name="Participants">Fogs that trained this round.</param>
/// <param name="Applied">Updates aggregated into this round's model (async: including stale ones).</param>
/// <param name="Late">Updates that missed the deadline (dropped in sync mode, kept for later in async mode).</param>
/// <param name="Stale">Updates from earlier rounds applied in this round (async mode).</param>
/// <param name="Clipped">Updates scaled down by norm clipping.</param>
/// <param name="MeanUpdateNorm">Mean L2 norm of the decoded updates.</param>
/// <param name="UploadBytes">Update payload bytes sent by all fogs this round.</param>
/// <param name="CumulativeUploadBytes">Upload bytes of all rounds so far.</param>
/// <param name="DenseUploadBytes">What dense float32 updates of the same fogs would have taken this round.</param>
/// <param name="CumulativeDenseUploadBytes">Dense-equivalent upload of all rounds so far.</param>
/// <param name="DownloadBytes">Global model sent to the participants this round: the full model as float32 (32 bits per parameter) per fog; runs logged before site-shift counted the weights file.</param>
/// <param name="BitsPerParameter">Upload bits per model parameter per update.</param>
/// <param name="CompressionRatio">Dense-equivalent bytes over upload bytes.</param>
/// <param name="TrainLoss">Mean of the fogs' last-epoch training losses.</param>
/// <param name="Seconds">Wall time of the round (training, coding, aggregation, evaluation).</param>
/// <param name="CumulativeSeconds">Wall time of all rounds so far.</param>
public sealed record RoundRecord(
    int Round,
    double Mae,
    IReadOnlyDictionary<string, double> GroupMae,
    int Participants,
    int Applied,
    int Late,
    int Stale,
    int Clipped,
    double MeanUpdateNorm,
    long UploadBytes,
    long CumulativeUploadBytes,
    long DenseUploadBytes,
    long CumulativeDenseUploadBytes,
    long DownloadBytes,
    double BitsPerParameter,
    double CompressionRatio,
    double TrainLoss,
    double Seconds,
    double CumulativeSeconds)
{
    /// <summary>MAE on the union of the sites' local test faces (site-shift scenario); NaN when the scenario has no sites.</summary>
    public double SitesMae { get; init; } = double.NaN;

    /// <summary>Sites' MAE per age group (site-shift scenario).</summary>
    public IReadOnlyDictionary<string, double>? SitesGroupMae { get; init; }

    /// <summary>Download bytes of all rounds so far (<see cref="DownloadBytes"/> summed).</summary>
    public long CumulativeDownloadBytes { get; init; }

    /// <summary>‖W − B‖ / ‖W‖ after this round's broadcast: how far the model the fogs hold lags the global one (delta broadcast); NaN with full broadcast.</summary>
    public double BroadcastGap { get; init; } = double.NaN;

    /// <summary>Each applied update's contribution score this round (<see cref="ContributionScorer"/>, as the portal's ledger records it); null in runs logged before the ledger.</summary>
    public IReadOnlyList<ContributionScore>? Contributions { get; init; }

    /// <summary>The metric the scenario reports: the sites' MAE when there are sites, else the validation MAE.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double Metric => double.IsFinite(SitesMae) ? SitesMae : Mae;
}
