using FogLens.AgeModel;
using FogLens.AgeModel.Inference;
using FogLens.AgeModel.Training;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService.Inference;

/// <summary>
/// Holds the current <see cref="AgeEstimator"/>. <see cref="Swap"/> replaces it atomically: batches that
/// already took the old estimator finish with it, and it is disposed once they have (a lease count), so
/// a new global model never drops crops.
/// </summary>
public sealed partial class AgeModelProvider : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ILogger<AgeModelProvider> _logger;
    private Lease _current;

    public AgeModelProvider(IOptions<FogOptions> options, ILogger<AgeModelProvider> logger)
    {
        _logger = logger;
        CurrentPointer = Path.Combine(options.Value.DataDirectory, "models", "current.txt");
        var precision = options.Value.ModelPrecision;
        var configured = ModelFiles.OnnxFor(options.Value.ModelPath, precision);
        var path = configured;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                precision == AgeModelPrecision.Int8
                    ? $"Fog:ModelPrecision is int8 but '{path}' (the int8 graph beside Fog:ModelPath) does not exist; export it with './foglens age export --int8'"
                    : $"Fog:ModelPath '{path}' does not exist (the committed model is models/age/age-net.onnx)",
                path);
        }

        if (File.Exists(CurrentPointer) && File.ReadAllText(CurrentPointer).Trim() is { Length: > 0 } saved && File.Exists(saved))
        {
            path = saved; // the last model the cloud announced, kept across restarts
        }

        _current = new Lease(new AgeEstimator(path, options.Value.InferenceThreads));
        var loaded = _current.Estimator.Precision;
        if (path == configured && loaded != precision)
        {
            _current.Dispose();
            throw new InvalidDataException($"Fog:ModelPrecision is {precision} but '{path}' is a {loaded} model");
        }

        LogLoaded(_current.Estimator.ModelVersion, loaded, path);
    }

    public string ModelVersion => _current.Estimator.ModelVersion;

    /// <summary>File naming the ONNX model to load at start (written when a new global model is installed).</summary>
    public string CurrentPointer { get; }

    /// <summary>Takes the current estimator for one batch; dispose the lease when done.</summary>
    public Lease Acquire()
    {
        lock (_gate)
        {
            _current.AddRef();
            return _current;
        }
    }

    public void Swap(AgeEstimator estimator)
    {
        Lease old;
        lock (_gate)
        {
            old = _current;
            _current = new Lease(estimator);
        }

        LogSwapped(old.Estimator.ModelVersion, estimator.ModelVersion);
        old.Dispose();
    }

    public void Dispose() => _current.Dispose();

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Age model {Version} ({Precision}) loaded from {Path}")]
    private partial void LogLoaded(string version, AgeModelPrecision precision, string path);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Age model {Old} replaced by {New}")]
    private partial void LogSwapped(string old, string @new);

    /// <summary>A reference-counted hold on an estimator.</summary>
    public sealed class Lease(AgeEstimator estimator) : IDisposable
    {
        private int _references = 1;

        public AgeEstimator Estimator { get; } = estimator;

        internal void AddRef() => Interlocked.Increment(ref _references);

        public void Dispose()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                Estimator.Dispose();
            }
        }
    }
}
