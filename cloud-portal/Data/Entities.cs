using System.ComponentModel.DataAnnotations.Schema;
using System.Text.Json;
using System.Text.Json.Serialization;
using FogLens.Contracts.Messages;

namespace FogLens.CloudPortal.Data;

/// <summary>One demographics window as a fog reported it (one message; unique by message id).</summary>
public sealed class DemographicsWindow
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public required string FogId { get; set; }

    public required string EdgeId { get; set; }

    public required string CameraId { get; set; }

    public DateTimeOffset WindowStart { get; set; }

    public DateTimeOffset WindowEnd { get; set; }

    public int Faces { get; set; }

    public double? MeanAge { get; set; }

    public required string ModelVersion { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public List<AgeGroupTally> Groups { get; set; } = [];
}

/// <summary>Faces of one age group in a window.</summary>
public sealed class AgeGroupTally
{
    public long Id { get; set; }

    public long WindowId { get; set; }

    public required string Label { get; set; }

    public int MinAge { get; set; }

    public int Count { get; set; }
}

/// <summary>Last known status of a fog (from its retained status message) or an edge (relayed in its fog's status, or seen in demographics).</summary>
public sealed class NodeRecord
{
    public required string Id { get; set; }

    /// <summary>"fog" or "edge".</summary>
    public required string Kind { get; set; }

    /// <summary>For an edge, the fog it reports through.</summary>
    public string? FogId { get; set; }

    /// <summary>For a fog, the site it serves (Fog:Site, from its status); null: not reported (an older fog), the default site.</summary>
    public string? Site { get; set; }

    public required string State { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public string? ModelVersion { get; set; }

    public int EdgesOnline { get; set; }

    /// <summary>Fog: crops received from its edges; edge: crops it has published.</summary>
    public long CropsReceived { get; set; }

    public long CropsInferred { get; set; }

    public long CropsRejected { get; set; }

    public int QueueDepth { get; set; }

    public int OutboxDepth { get; set; }

    public bool Training { get; set; }

    public int LocalSamples { get; set; }

    /// <summary>Edge: the camera it watches.</summary>
    public string? CameraId { get; set; }

    /// <summary>Edge: camera frames per second; fog: faces inferred per second.</summary>
    public double Rate { get; set; }

    /// <summary>Edge: what its camera source is doing (null: not reported, an older edge or fog).</summary>
    public SourceState? SourceState { get; set; }

    /// <summary>Edge: one line saying why the source is not Ok.</summary>
    public string? SourceProblem { get; set; }

    /// <summary>Online when its last state says so and it was heard from at or after <paramref name="since"/>.</summary>
    public bool IsOnline(DateTimeOffset since) => State == nameof(NodeState.Online) && LastSeen >= since;
}

/// <summary>A version of the age model in the registry; its files live under the data directory.</summary>
public sealed class ModelVersionRecord
{
    public required string Version { get; set; }

    public string? ParentVersion { get; set; }

    public long? RoundId { get; set; }

    /// <summary>"base" or "round".</summary>
    public required string Source { get; set; }

    public string? Codec { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public double? ValidationMae { get; set; }

    /// <summary>MAE per age group (JSON object label → years) as stored; the API shows it as <see cref="GroupMae"/>.</summary>
    [JsonIgnore]
    public string? GroupMaeJson { get; set; }

    /// <summary>MAE per age group as a JSON object (label → years) for API clients; null when not measured or unreadable.</summary>
    [NotMapped]
    public JsonElement? GroupMae
    {
        get
        {
            if (string.IsNullOrWhiteSpace(GroupMaeJson))
            {
                return null;
            }

            try
            {
                using var doc = JsonDocument.Parse(GroupMaeJson);
                return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public required string WeightsSha256 { get; set; }

    public required string OnnxSha256 { get; set; }

    public long WeightsBytes { get; set; }

    public bool IsCurrent { get; set; }

    public DateTimeOffset? PromotedAt { get; set; }

    /// <summary>
    /// MAE on the portal's evaluation set (Federated:EvaluationData, EvaluationLimit): the number promotions compare.
    /// <see cref="ValidationMae"/> of the base model comes from its model card and may be on other faces.
    /// </summary>
    public double? EvaluationMae { get; set; }

    /// <summary>
    /// Set when an operator made this version current by hand (a promotion or a roll-back): automatic promotion
    /// is suspended until they release the pin.
    /// </summary>
    public string? PinnedBy { get; set; }

    /// <summary>
    /// Fingerprint (<see cref="FogLens.Federated.ModelBroadcast.Fingerprint"/>) of the model fogs hold for this version:
    /// the weights themselves for the base, the parent's held model plus <see cref="DeltaSha256"/>'s delta for round
    /// versions. Null: not computed yet (versions registered before delta broadcast).
    /// </summary>
    public string? BroadcastFingerprint { get; set; }

    /// <summary>SHA-256 of the held model's weights file (what a fog downloads when it cannot use deltas).</summary>
    public string? BroadcastSha256 { get; set; }

    /// <summary>SHA-256 of the delta from the parent's held model; null for the base and with full broadcast.</summary>
    public string? DeltaSha256 { get; set; }

    public long? DeltaBytes { get; set; }
}

public enum RoundState
{
    Open,
    Completed,
    Failed,
}

/// <summary>A federated round and its accounting.</summary>
public sealed class TrainingRound
{
    public long Id { get; set; }

    public RoundState State { get; set; }

    /// <summary>Stored as "sync" or "async".</summary>
    public RoundMode Mode { get; set; }

    public required string BaseVersion { get; set; }

    public string? ResultVersion { get; set; }

    public required string Codec { get; set; }

    public double Sparsity { get; set; }

    public int LocalEpochs { get; set; }

    public int MinQuorum { get; set; }

    /// <summary>Selected fog ids, comma-separated.</summary>
    public required string Participants { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset Deadline { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? StartedBy { get; set; }

    public int Accepted { get; set; }

    public int Rejected { get; set; }

    public int Late { get; set; }

    /// <summary>Updates of earlier rounds applied here (async mode).</summary>
    public int Stale { get; set; }

    public long UploadBytes { get; set; }

    /// <summary>What the accepted updates would have taken as dense float32.</summary>
    public long DenseUploadBytes { get; set; }

    /// <summary>Bytes the fogs that answered report having downloaded for this round's model (fogs too old to report count the whole file).</summary>
    public long DownloadBytes { get; set; }

    /// <summary>What sending the whole weights file to every participant would take (the reference for <see cref="DownloadBytes"/>).</summary>
    public long FullDownloadBytes { get; set; }

    public double? Mae { get; set; }

    /// <summary>The model the result was compared with for promotion (the best promoted one) and its evaluation MAE.</summary>
    public string? ReferenceVersion { get; set; }

    public double? ReferenceMae { get; set; }

    public string? Outcome { get; set; }

    /// <summary>Noise multiplier z of differential privacy in this round; null: no noise.</summary>
    public double? NoiseMultiplier { get; set; }

    public IReadOnlyList<string> ParticipantList => Participants.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool IsAsync => Mode == RoundMode.Asynchronous;

    /// <summary>
    /// Why an update announced for this round does not belong to it (wrong fog, base model or codec), or null.
    /// Checked before its payload is decoded.
    /// </summary>
    public string? Mismatch(string fogId, string baseVersion, string codec) =>
        !ParticipantList.Contains(fogId) ? $"{fogId} was not selected for round {Id}"
        : baseVersion != BaseVersion ? $"update was computed against {baseVersion}, round {Id} starts from {BaseVersion}"
        : codec != Codec ? $"update uses codec {codec}, round {Id} asked for {Codec}"
        : null;

    /// <summary>
    /// What happens to a well-formed update that arrived at <paramref name="receivedAt"/>: accepted while the round
    /// is open and before its deadline; otherwise late (kept for the next round in asynchronous mode, dropped in
    /// synchronous mode).
    /// </summary>
    public UpdateDecision Judge(DateTimeOffset receivedAt) =>
        State == RoundState.Open && receivedAt <= Deadline ? new(UpdateStatus.Accepted, null)
        : IsAsync ? new(UpdateStatus.Late, "late: kept for the next round (staleness-weighted)")
        : new(UpdateStatus.Late, "late: dropped (synchronous round)");

    /// <summary>
    /// Whether an open round should close now: at its deadline, or once enough fogs answered (synchronous rounds
    /// wait for every participant; asynchronous ones close at quorum and take stragglers in the next round).
    /// </summary>
    public bool IsDue(int answered, DateTimeOffset now) =>
        State == RoundState.Open && (now > Deadline || answered >= (IsAsync ? MinQuorum : ParticipantList.Count));

    /// <summary>Counts an arriving update of <paramref name="payloadBytes"/> by its decision: accepted and late
    /// updates travelled (upload bytes, and the <paramref name="downloadBytes"/> their fog fetched), rejected ones are only counted.</summary>
    public void Count(UpdateDecision decision, int payloadBytes, long downloadBytes)
    {

        switch (decision.Status)
        {
            case UpdateStatus.Accepted:
                Accepted++;
                UploadBytes += payloadBytes;
                DownloadBytes += downloadBytes;
                break;
            case UpdateStatus.Late:
                Late++;
                UploadBytes += payloadBytes;
                DownloadBytes += downloadBytes;
                break;
            case UpdateStatus.Rejected:
                Rejected++;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(decision), decision.Status, "an arriving update is accepted, late or rejected");
        }
    }

    /// <summary>An accepted update that could not be aggregated counts as rejected.</summary>
    public void Demote()
    {
        if (Accepted == 0)
        {
            throw new InvalidOperationException($"round {Id} has no accepted update to demote");
        }

        Accepted--;
        Rejected++;
    }

    /// <summary>Ends the round without a model: fewer than <see cref="MinQuorum"/> updates could be aggregated.</summary>
    public void FailForQuorum(int aggregated, DateTimeOffset now)
    {
        State = RoundState.Failed;
        CompletedAt = now;
        Outcome = $"quorum not reached: {aggregated} of {MinQuorum} required updates by the deadline";
    }
}

/// <summary>What a round does with an update: its status and, when it is not simply accepted, why.</summary>
public readonly record struct UpdateDecision(UpdateStatus Status, string? Reason);

public enum UpdateStatus
{
    Accepted,
    Rejected,
    Late,
    Applied,
}

/// <summary>A fog's update for a round; the payload is stored on disk until the round is aggregated.</summary>
public sealed class RoundUpdate
{
    public long Id { get; set; }

    public long RoundId { get; set; }

    public required string FogId { get; set; }

    public Guid MessageId { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public UpdateStatus Status { get; set; }

    public string? Reason { get; set; }

    public int PayloadBytes { get; set; }

    public int SampleCount { get; set; }

    public double TrainLoss { get; set; }

    public double? LocalMae { get; set; }

    public double? Norm { get; set; }

    /// <summary>Round whose model this update was applied to (differs from <see cref="RoundId"/> for stale async updates).</summary>
    public long? AppliedInRound { get; set; }

    [System.Text.Json.Serialization.JsonIgnore] // a server path: not for API clients
    public string? PayloadPath { get; set; }
}

/// <summary>A portal user; the password is hashed with ASP.NET Core Identity's hasher.</summary>
public sealed class PortalUser
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public required string PasswordHash { get; set; }

    /// <summary>"Admin" or "Viewer".</summary>
    public required string Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Random value put in every sign-in cookie; replaced on logout and password change, which makes every
    /// cookie issued before invalid (checked on each request and by open Blazor circuits).
    /// </summary>
    public string SecurityStamp { get; set; } = string.Empty;
}

/// <summary>An imported federated experiment run (run.json and rounds.jsonl), shown on the Training page.</summary>
public sealed class ExperimentRunRecord
{
    public required string Name { get; set; }

    public required string OptionsJson { get; set; }

    public required string RoundsJson { get; set; }

    public DateTimeOffset ImportedAt { get; set; }
}
