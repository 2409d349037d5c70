using FogLens.AgeModel.Training;
using FogLens.CloudPortal.Data;
using FogLens.Compression;
using FogLens.Contracts;
using FogLens.Federated;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// The model fogs hold for each version (<see cref="ModelBroadcast"/>): for the base, and with
/// <c>Federated:Broadcast=full</c>, the weights themselves; for a round's version, the parent's held model plus a
/// compressed delta towards the new weights, written beside them as <see cref="HeldFile"/> and <see cref="DeltaFile"/>.
/// What a delta leaves out stays in the difference between the weights and the held model and goes out with the next.
/// </summary>
public sealed class ModelBroadcaster(CoordinatorOptions options, Func<AgeNetConfig> config, Func<string, string> folder)
{
    public const string HeldFile = "broadcast.weights";

    public const string DeltaFile = "broadcast.delta";

    /// <summary>The held model's weights file of a version (its own weights when fogs hold exactly those).</summary>
    public string HeldPath(string version)
    {
        var held = Path.Combine(folder(version), HeldFile);
        return File.Exists(held) ? held : Path.Combine(folder(version), ModelFiles.Weights);
    }

    /// <summary>Fogs hold <paramref name="weights"/> themselves (the base, or full broadcast).</summary>
    public static void HoldAsIs(ModelVersionRecord record, ModelState weights)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.BroadcastFingerprint = ModelBroadcast.Fingerprint(weights);
        record.BroadcastSha256 = record.WeightsSha256;
    }

    /// <summary>
    /// Fills <paramref name="record"/>'s broadcast fields for its weights <paramref name="weights"/>: a delta from the
    /// parent's held model when deltas are on and the parent is known (the parent's own fields are filled first when it
    /// predates delta broadcast), else the weights as they are.
    /// </summary>
    public void Prepare(ModelVersionRecord record, ModelState weights, ModelVersionRecord? parent)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(weights);
        if (!options.BroadcastsDeltas || parent is null)
        {
            HoldAsIs(record, weights);
            return;
        }

        var parentPath = HeldPath(parent.Version);
        var held = ModelState.Load(config(), parentPath);
        parent.BroadcastFingerprint ??= ModelBroadcast.Fingerprint(held);
        parent.BroadcastSha256 ??= Sha256Hex.OfFile(parentPath);
        var (delta, next) = ModelBroadcast.Encode(held, weights, UpdateCodecs.Parse(options.Broadcast), options.BroadcastCodecOptions, options.BroadcastMaxGap);
        var target = folder(record.Version);
        var deltaPath = Path.Combine(target, DeltaFile);
        File.WriteAllBytes(deltaPath + ".tmp", delta);
        File.Move(deltaPath + ".tmp", deltaPath, overwrite: true);
        var heldPath = Path.Combine(target, HeldFile);
        next.SaveWeights(config(), heldPath);
        record.BroadcastFingerprint = ModelBroadcast.Fingerprint(next);
        record.BroadcastSha256 = Sha256Hex.OfFile(heldPath);
        record.DeltaSha256 = Sha256Hex.Of(delta);
        record.DeltaBytes = delta.Length;
    }
}
