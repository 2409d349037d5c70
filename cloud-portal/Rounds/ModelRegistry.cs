using System.Text.Json;
using FogLens.AgeModel.Training;
using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Broker;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Federated;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// Model versions: files under <c>{DataDirectory}/models/{version}/</c> (weights, config, ONNX) with
/// their SHA-256 in the database, one of them current. Promoting a version (or rolling back to an older
/// one) publishes a retained <see cref="ModelAnnouncement"/> that fogs hot-swap to.
/// </summary>
public sealed partial class ModelRegistry(
    PortalDb db,
    ICloudBus bus,
    MessageHeaderFactory headers,
    IOptions<PortalOptions> portal,
    IOptions<CoordinatorOptions> options,
    PortalEvents events,
    PublicAddress address,
    TimeProvider time,
    ILogger<ModelRegistry> logger)
{
    private readonly string _root = Path.Combine(Path.GetFullPath(portal.Value.DataDirectory), "models");
    private AgeNetConfig? _config;
    private ModelBroadcaster? _broadcaster;

    /// <summary>What fogs hold of each version and the deltas between them (<c>Federated:Broadcast</c>).</summary>
    public ModelBroadcaster Broadcaster => _broadcaster ??= new ModelBroadcaster(options.Value, () => Config, Folder);

    public AgeNetConfig Config => _config ??= AgeNetConfig.FromJson(File.ReadAllText(Path.Combine(options.Value.BaseModel, ModelFiles.Config)));

    public string Folder(string version) => Path.Combine(_root, NodeId.Require(version, nameof(version)));

    /// <summary>Path of a version's file: kind is "weights", "onnx", "broadcast" (the model fogs hold) or "delta" (from the parent's).</summary>
    public string? FilePath(string version, string kind) => !NodeId.IsValid(version) ? null : kind switch
    {
        "weights" => Path.Combine(Folder(version), ModelFiles.Weights),
        "onnx" => Path.Combine(Folder(version), ModelFiles.Onnx),
        "onnx-int8" => Path.Combine(Folder(version), ModelFiles.Int8Onnx),
        "broadcast" => Broadcaster.HeldPath(version),
        "delta" => Path.Combine(Folder(version), ModelBroadcaster.DeltaFile),
        _ => null,
    };

    /// <summary>Registers the configured base model as the first, current version when the registry is empty.</summary>
    public async Task EnsureBaseAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        if (await context.Models.AnyAsync(cancellationToken))
        {
            return;
        }

        var source = Path.GetFullPath(options.Value.BaseModel);
        var version = ModelFiles.RegisteredVersion(source);

        // The base's parent, when it ships beside it (models/age/age-v1-cam for age-v2), is registered too: the model
        // history shows where the base came from, and an Admin can roll back to it.
        var parent = ModelFiles.RegisteredParent(source);
        var parentFolder = parent is null ? null : Path.Combine(source, parent);
        if (parentFolder is not null && File.Exists(Path.Combine(parentFolder, ModelFiles.Weights)) && File.Exists(Path.Combine(parentFolder, ModelFiles.Onnx)))
        {
            context.Models.Add(await RegisterShippedAsync(parentFolder, parent!, null, isCurrent: false));
        }
        else
        {
            parent = null;
        }

        context.Models.Add(await RegisterShippedAsync(source, version, parent, isCurrent: true));
        await context.SaveChangesAsync(cancellationToken);
        LogRegisteredBase(version, source);
    }

    /// <summary>Copies a shipped model folder into the registry and describes it (validation MAE from its metrics.json).</summary>
    private async Task<ModelVersionRecord> RegisterShippedAsync(string source, string version, string? parent, bool isCurrent)
    {
        var folder = Folder(version);
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { ModelFiles.Weights, ModelFiles.Onnx, ModelFiles.Config, ModelFiles.Int8Onnx, ModelFiles.ScalesFile })
        {
            if (file is ModelFiles.Weights or ModelFiles.Onnx or ModelFiles.Config || File.Exists(Path.Combine(source, file)))
            {
                File.Copy(Path.Combine(source, file), Path.Combine(folder, file), overwrite: true); // the int8 graph and its scales when the model has them
            }
        }

        double? mae = null;
        string? groups = null;
        var metrics = Path.Combine(source, "metrics.json");
        if (File.Exists(metrics))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(metrics));
            mae = doc.RootElement.TryGetProperty("mae", out var m) ? m.GetDouble() : null;
            groups = doc.RootElement.TryGetProperty("maeByGroup", out var g) ? g.GetRawText() : null;
        }

        var record = Describe(version, parent, null, "base", null, mae, groups, isCurrent);
        ModelBroadcaster.HoldAsIs(record, await LoadStateAsync(version));
        return record;
    }

    /// <summary>Writes a new version from an aggregated state and registers it (not current yet).</summary>
    public async Task<ModelVersionRecord> RegisterAsync(string version, ModelState state, string parent, long roundId, string codec, EvaluationResult? evaluation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var scales = Path.Combine(Folder(parent), ModelFiles.ScalesFile);
        state.SaveModelFolder(Config, version, Folder(version), File.Exists(scales) ? ActivationScales.FromJson(File.ReadAllText(scales)) : null);
        var record = Describe(version, parent, roundId, "round", codec, evaluation?.Mae, evaluation is null ? null : JsonSerializer.Serialize(evaluation.GroupMae), isCurrent: false);
        record.EvaluationMae = evaluation?.Mae; // measured on the portal's evaluation set, the number promotions compare
        await using var context = db.Create();
        var parentRecord = await context.Models.FirstOrDefaultAsync(m => m.Version == parent, cancellationToken);
        await Task.Run(() => Broadcaster.Prepare(record, state, parentRecord), cancellationToken);
        context.Models.Add(record);
        await context.SaveChangesAsync(cancellationToken);
        LogRegisteredRound(version, roundId, parent);
        events.Raise(PortalChange.Models);
        return record;
    }

    public async Task<ModelVersionRecord?> CurrentAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return await context.Models.AsNoTracking().FirstOrDefaultAsync(m => m.IsCurrent, cancellationToken);
    }

    /// <summary>Stores a version's MAE on the portal's evaluation set.</summary>
    public async Task SetEvaluationMaeAsync(string version, double mae, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var model = await context.Models.FirstAsync(m => m.Version == version, cancellationToken);
        model.EvaluationMae = mae;
        await context.SaveChangesAsync(cancellationToken);
        events.Raise(PortalChange.Models);
    }

    /// <summary>The models that were current at some time (the base, promotions, roll-backs).</summary>
    public async Task<IReadOnlyList<ModelVersionRecord>> PromotedAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return await context.Models.AsNoTracking().Where(m => m.PromotedAt != null).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// An operator makes <paramref name="version"/> current (a promotion or a roll-back) and pins it: automatic
    /// promotion waits until <see cref="ReleasePinAsync"/>.
    /// </summary>
    public Task<ModelVersionRecord> PinAsync(string version, string operatorName, CancellationToken cancellationToken) =>
        MakeCurrentAsync(version, SafeOperator(operatorName), cancellationToken);

    /// <summary>Releases the pin of the current model (if any): rounds may promote again. Returns the released version.</summary>
    public async Task<string?> ReleasePinAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var pinned = await context.Models.Where(m => m.PinnedBy != null).ToListAsync(cancellationToken);
        foreach (var m in pinned)
        {
            m.PinnedBy = null;
        }

        await context.SaveChangesAsync(cancellationToken);
        events.Raise(PortalChange.Models);
        var released = pinned.FirstOrDefault(m => m.IsCurrent)?.Version ?? pinned.FirstOrDefault()?.Version;
        if (released is not null)
        {
            LogReleased(released);
        }

        return released;
    }

    private static string SafeOperator(string name) => name.Length is > 0 and <= 64 ? name : "operator";

    /// <summary>Makes <paramref name="version"/> current and announces it (an automatic promotion; operators pin, see <see cref="PinAsync"/>).</summary>
    public Task<ModelVersionRecord> PromoteAsync(string version, CancellationToken cancellationToken) =>
        MakeCurrentAsync(version, pinnedBy: null, cancellationToken);

    /// <summary>
    /// Makes a version current, pinned or not, in one save: a round finishing meanwhile never sees the operator's
    /// choice current but not yet pinned.
    /// </summary>
    private async Task<ModelVersionRecord> MakeCurrentAsync(string version, string? pinnedBy, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var target = await context.Models.FirstOrDefaultAsync(m => m.Version == version, cancellationToken)
            ?? throw new KeyNotFoundException($"model version '{version}' is not in the registry");
        foreach (var m in await context.Models.Where(m => m.IsCurrent || m.PinnedBy != null).ToListAsync(cancellationToken))
        {
            m.IsCurrent = false;
            m.PinnedBy = null; // a pin belongs to the current model only
        }

        target.IsCurrent = true;
        target.PromotedAt = time.GetUtcNow();
        target.PinnedBy = pinnedBy;
        await context.SaveChangesAsync(cancellationToken);
        LogPromoted(version);
        if (pinnedBy is not null)
        {
            LogPinned(version, pinnedBy);
        }

        await AnnounceAsync(target, cancellationToken);
        events.Raise(PortalChange.Models);
        return target;
    }

    /// <summary>Publishes the retained announcement of <paramref name="model"/> (also at start, so a new broker has it).</summary>
    public async Task<bool> AnnounceAsync(ModelVersionRecord model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        var int8 = FilePath(model.Version, "onnx-int8");
        var hasInt8 = int8 is not null && File.Exists(int8);
        var announcement = new ModelAnnouncement(
            headers.Next(), model.Version, model.OnnxSha256, address.ModelUri(model.Version, "onnx"), model.WeightsSha256,
            address.ModelUri(model.Version, "weights"), model.ValidationMae, model.CreatedAt,
            hasInt8 ? Sha256Hex.OfFile(int8!) : null, hasInt8 ? address.ModelUri(model.Version, "onnx-int8") : null);
        return await bus.PublishAsync(Topics.ModelAnnouncement, JsonMessages.Serialize(announcement), retain: true, cancellationToken);
    }

    public async Task<ModelState> LoadStateAsync(string version) =>
        await Task.Run(() => ModelState.Load(Config, FilePath(version, "weights")!));

    private ModelVersionRecord Describe(string version, string? parent, long? round, string source, string? codec, double? mae, string? groups, bool isCurrent)
    {
        var folder = Folder(version);
        var weights = Path.Combine(folder, ModelFiles.Weights);
        return new ModelVersionRecord
        {
            Version = version,
            ParentVersion = parent,
            RoundId = round,
            Source = source,
            Codec = codec,
            CreatedAt = time.GetUtcNow(),
            ValidationMae = mae,
            GroupMaeJson = groups,
            WeightsSha256 = Sha256Hex.OfFile(weights),
            OnnxSha256 = Sha256Hex.OfFile(Path.Combine(folder, ModelFiles.Onnx)),
            WeightsBytes = new FileInfo(weights).Length,
            IsCurrent = isCurrent,
            PromotedAt = isCurrent ? time.GetUtcNow() : null,
        };
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Registered model version {Version} from round {RoundId}, parent {Parent}")]
    private partial void LogRegisteredRound(string version, long roundId, string parent);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "Registered model version {Version} (base model {Source})")]
    private partial void LogRegisteredBase(string version, string source);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Information, Message = "Model version {Version} pinned by {Operator}: automatic promotion is suspended until the pin is released")]
    private partial void LogPinned(string version, string @operator);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Information, Message = "Pin of model version {Version} released: rounds may promote again")]
    private partial void LogReleased(string version);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Model version {Version} is now current and announced")]
    private partial void LogPromoted(string version);
}

/// <summary>Absolute URLs fogs use to reach the portal (configured, or the first listening address).</summary>
public sealed class PublicAddress(IOptions<PortalOptions> options, Microsoft.AspNetCore.Hosting.Server.IServer server)
{
    public Uri BaseUri
    {
        get
        {
            if (options.Value.PublicUrl is { } configured)
            {
                return configured;
            }

            var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses;
            var first = addresses?.FirstOrDefault() ?? "http://127.0.0.1:5080";
            return new Uri(first.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal));
        }
    }

    public Uri ModelUri(string version, string kind) => new(BaseUri, $"/api/models/{Uri.EscapeDataString(version)}/{kind}");
}
