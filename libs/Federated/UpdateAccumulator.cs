using System.Numerics.Tensors;
using FogLens.Compression;

namespace FogLens.Federated;

/// <summary>What the accumulator did with one update.</summary>
/// <param name="Norm">L2 norm of the decoded update.</param>
/// <param name="ClipScale">Factor applied by norm clipping (1 when not clipped).</param>
/// <param name="Weight">Aggregation weight (sample count × staleness weight).</param>
public sealed record UpdateVerdict(double Norm, double ClipScale, double Weight);

/// <summary>
/// Combines decoded updates. FedAvg: W' = W + η · Σ nᵢ·sᵢ·cᵢ·ΔWᵢ / Σ nᵢ, where nᵢ is the fog's sample count
/// (at most <see cref="AggregationOptions.MaxSamplesPerUpdate"/>), sᵢ a staleness weight (1 in synchronous rounds)
/// and cᵢ the clipping factor. Trimmed mean and median (<see cref="AggregationRule"/>) keep every clipped,
/// staleness-weighted update densely and combine them per coordinate, unweighted, so no claimed sample count
/// matters and a minority of arbitrary updates cannot move a coordinate beyond the honest values' range.
/// Sparse updates are added at their positions only (<see cref="DecodedTensor.AddTo"/>), so an SBC
/// update costs O(kept) here. Every update is checked against the model's tensors and norms before it
/// touches the sum. Running variances are updated in log space (<see cref="UpdateSpace"/>). With
/// <see cref="AggregationOptions.NoiseMultiplier"/> above 0 the mean is DP-FedAvg's: unit weights, clipped updates,
/// Gaussian noise on the sum (drawn once). Not thread-safe.
/// </summary>
public sealed class UpdateAccumulator
{
    private readonly ModelState _global;
    private readonly AggregationOptions _options;
    private readonly float[][] _sum;
    private readonly List<float[][]> _kept = [];
    private readonly Func<string, bool> _mayChange;
    private readonly GaussianNoise _noise;
    private float[][]? _privateMean;
    private float[][]? _onTime;
    private double _samples;
    private double _onTimeSamples;

    /// <param name="global">The round's base model.</param>
    /// <param name="options">How to check and combine.</param>
    /// <param name="mayChange">Which tensors (by name) fogs fine-tune this round; with differential privacy an update that
    /// changes any other tensor is refused and only these get noise. Null: all.</param>
    /// <param name="noise">Noise source for differential privacy; null: the operating system's cryptographic generator.</param>
    public UpdateAccumulator(ModelState global, AggregationOptions options, Func<string, bool>? mayChange = null, GaussianNoise? noise = null)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _global = global;
        _options = options;
        _mayChange = mayChange ?? (_ => true);
        _noise = noise ?? new GaussianNoise();
        _sum = [.. global.Specs.Select(s => new float[s.ElementCount])];
    }

    /// <summary>Updates added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Sum of the sample counts of the updates added.</summary>
    public long SampleCount { get; private set; }

    /// <summary>
    /// Checks and adds one update. Throws <see cref="RejectedUpdateException"/> (and adds nothing) when its
    /// tensors do not match the model or its norm is not finite or above <see cref="AggregationOptions.RejectNorm"/>.
    /// </summary>
    /// <param name="update">The decoded update.</param>
    /// <param name="sampleCount">Samples it weighs (capped here by <see cref="AggregationOptions.MaxSamplesPerUpdate"/>).</param>
    /// <param name="stalenessWeight">(1 + staleness)^−a for a late update of an earlier round; 1 on time.</param>
    /// <param name="late">Whether it is a late update of an earlier round (the energy bound measures the on-time ones).</param>
    public UpdateVerdict Add(DecodedUpdate update, int sampleCount, double stalenessWeight = 1, bool late = false)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (sampleCount <= 0)
        {
            throw new RejectedUpdateException($"sample count {sampleCount} must be positive");
        }

        if (!(stalenessWeight > 0 && stalenessWeight <= 1))
        {
            throw new RejectedUpdateException($"staleness weight {stalenessWeight} must be in (0, 1]");
        }

        if (update.Tensors.Count != _global.Specs.Count)
        {
            throw new RejectedUpdateException($"update has {update.Tensors.Count} tensors, the model {_global.Specs.Count}");
        }

        for (var i = 0; i < update.Tensors.Count; i++)
        {
            if (!update.Tensors[i].Spec.Matches(_global.Specs[i]))
            {
                throw new RejectedUpdateException($"update tensor {update.Tensors[i].Spec} does not match model tensor {_global.Specs[i]}");
            }
        }

        var norm = update.Norm();
        if (!double.IsFinite(norm) || norm > _options.RejectNorm)
        {
            throw new RejectedUpdateException($"update norm {norm:G4} exceeds the limit {_options.RejectNorm:G4}");
        }

        if (_options.IsPrivate)
        {
            if (_privateMean is not null)
            {
                throw new InvalidOperationException("the noised mean was already drawn; a private round cannot take more updates");
            }

            if (update.Tensors.FirstOrDefault(t => !_mayChange(t.Spec.Name) && t.SquaredNorm() > 0) is { } frozen)
            {
                throw new RejectedUpdateException($"update changes {frozen.Spec.Name}, which this round does not train (differential privacy bounds only the trained tensors)");
            }
        }

        var clip = norm > _options.ClipNorm ? _options.ClipNorm / norm : 1.0;
        var samples = _options.IsPrivate ? 1 : Math.Min(sampleCount, _options.MaxSamplesPerUpdate);
        var weight = samples * stalenessWeight;
        if (_options.Rule == AggregationRule.FedAvg)
        {
            for (var i = 0; i < update.Tensors.Count; i++)
            {
                update.Tensors[i].AddTo(_sum[i], (float)(weight * clip));
            }

            if (_options.EnergyBounded && !late)
            {
                _onTime ??= [.. _global.Specs.Select(s => new float[s.ElementCount])];
                for (var i = 0; i < update.Tensors.Count; i++)
                {
                    update.Tensors[i].AddTo(_onTime[i], (float)(weight * clip));
                }

                _onTimeSamples += samples;
            }
        }
        else
        {
            var dense = new float[update.Tensors.Count][];
            for (var i = 0; i < update.Tensors.Count; i++)
            {
                dense[i] = new float[_global.Specs[i].ElementCount];
                update.Tensors[i].AddTo(dense[i], (float)(stalenessWeight * clip));
            }

            _kept.Add(dense);
            weight = stalenessWeight;
        }

        _samples += samples;
        SampleCount += samples;
        Count++;
        return new UpdateVerdict(norm, clip, weight);
    }

    /// <summary>The combined update per tensor (zeros with no updates), for a <see cref="ServerOptimizer"/>: the weighted
    /// mean Σ nᵢ·sᵢ·cᵢ·ΔWᵢ / Σ nᵢ, or the coordinate-wise trimmed mean or median.</summary>
    public float[][] MeanUpdate()
    {
        if (_options.Rule != AggregationRule.FedAvg)
        {
            return RobustAggregate.Combine(_kept, [.. _global.Specs.Select(s => checked((int)s.ElementCount))], _options.Rule, _options.TrimFraction);
        }

        if (_privateMean is not null)
        {
            return [.. _privateMean.Select(t => (float[])t.Clone())];
        }

        var mean = new float[_sum.Length][];
        var scale = Count == 0 ? 0f : (float)(1 / _samples);
        for (var i = 0; i < _sum.Length; i++)
        {
            mean[i] = (float[])_sum[i].Clone();
            if (_options.IsPrivate && Count > 0 && _mayChange(_global.Specs[i].Name))
            {
                // DP-FedAvg: noise of z·S on the sum of clipped, unit-weight updates, drawn once per round.
                _noise.AddTo(mean[i], _options.NoiseMultiplier * _options.ClipNorm);
            }

            TensorPrimitives.Multiply(mean[i], scale, mean[i]);
        }

        if (_options.IsPrivate && Count > 0)
        {
            _privateMean = mean;
            return [.. mean.Select(t => (float[])t.Clone())];
        }

        return mean;
    }

    /// <summary>Squared norm of the on-time updates' mean: this round's synchronous step energy (energy-bounded mode; 0 without on-time updates).</summary>
    public double SyncEnergy
    {
        get
        {
            if (_onTime is null || _onTimeSamples == 0)
            {
                return 0;
            }

            return VectorMath.SquaredNorm(_onTime) / (_onTimeSamples * _onTimeSamples);
        }
    }

    /// <summary>
    /// The combined update scaled so its squared norm is at most <paramref name="energyBound"/> (energy-bounded
    /// asynchronous mode); returns the factor applied (1: unchanged).
    /// </summary>
    public static double BoundEnergy(float[][] combined, double energyBound)
    {
        ArgumentNullException.ThrowIfNull(combined);
        var energy = VectorMath.SquaredNorm(combined);
        if (!(energyBound >= 0) || energy <= energyBound || energy == 0)
        {
            return 1;
        }

        var factor = Math.Sqrt(energyBound / energy);
        foreach (var t in combined)
        {
            TensorPrimitives.Multiply(t, (float)factor, t);
        }

        return factor;
    }

    /// <summary>The new global state stepped by <paramref name="optimizer"/> (server learning rate, momentum or Adam; its state advances). With no updates it is a copy of the global state.</summary>
    /// <param name="optimizer">The server optimiser.</param>
    /// <param name="energyBound">Energy-bounded asynchronous mode: the most squared norm the combined update may have
    /// (<see cref="EnergyEstimate"/>); null: unbounded.</param>
    public ModelState Result(ServerOptimizer optimizer, double? energyBound = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (Count == 0)
        {
            return _global.Clone();
        }

        var combined = MeanUpdate();
        if (energyBound is { } bound)
        {
            BoundEnergy(combined, bound);
        }

        return optimizer.Step(_global, combined);
    }

    /// <summary>The new global state (the input state is not changed). With no updates it is a copy of the global state.</summary>
    public ModelState Result()
    {
        var result = _global.Clone();
        if (Count == 0)
        {
            return result;
        }

        var combined = MeanUpdate();
        var eta = (float)_options.ServerLearningRate;
        for (var i = 0; i < combined.Length; i++)
        {
            TensorPrimitives.Multiply(combined[i], eta, combined[i]);
            UpdateSpace.Apply(result.Specs[i].Name, result.Values[i], combined[i]);
        }

        return result;
    }
}
