using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FogLens.AgeModel.Training;

/// <summary>
/// AdamW (Loshchilov and Hutter) over a module's parameters. TorchSharp has its own, but that one
/// passes implicitly converted <see cref="Scalar"/>s to native calls, and under GC pressure a finalizer
/// can free such a scalar mid-call ("Unknown scalar type" after a few thousand steps here). This
/// implementation creates every scalar explicitly and disposes it after the call that uses it.
/// </summary>
public sealed class AdamWOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _eps;

    public AdamWOptimizer(IEnumerable<Parameter> parameters, double learningRate, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        _parameters = [.. parameters];
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        _beta1 = beta1;
        _beta2 = beta2;
        _eps = eps;
        using var noGrad = torch.no_grad();
        _expAvg = [.. _parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope())];
        _expAvgSq = [.. _parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope())];
    }

    public double LearningRate { get; set; }

    public double WeightDecay { get; }

    /// <summary>Optimizer steps taken (drives bias correction).</summary>
    public long Steps { get; private set; }

    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    public void Step()
    {
        Steps++;
        var biasCorrection1 = 1 - Math.Pow(_beta1, Steps);
        var biasCorrection2 = 1 - Math.Pow(_beta2, Steps);
        using var noGrad = torch.no_grad();
        using var decay = (1 - (LearningRate * WeightDecay)).ToScalar();
        using var beta1 = _beta1.ToScalar();
        using var oneMinusBeta1 = (1 - _beta1).ToScalar();
        using var beta2 = _beta2.ToScalar();
        using var oneMinusBeta2 = (1 - _beta2).ToScalar();
        using var sqrtBc2 = Math.Sqrt(biasCorrection2).ToScalar();
        using var eps = _eps.ToScalar();
        using var stepSize = (-LearningRate / biasCorrection1).ToScalar();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            using var grad = p.grad;
            if (grad is null)
            {
                continue;
            }

            p.mul_(decay);
            _expAvg[i].mul_(beta1).add_(grad, oneMinusBeta1);
            _expAvgSq[i].mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            using var root = _expAvgSq[i].sqrt();
            using var denom = root.div_(sqrtBc2).add_(eps);
            p.addcdiv_(_expAvg[i], denom, stepSize);
        }
    }

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(tmp)))
        {
            writer.Write(Steps);
            writer.Write(_parameters.Length);
            for (var i = 0; i < _parameters.Length; i++)
            {
                _expAvg[i].Save(writer);
                _expAvgSq[i].Save(writer);
            }
        }

        File.Move(tmp, path, overwrite: true);
    }

    public void Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var steps = reader.ReadInt64();
        var count = reader.ReadInt32();
        if (count != _parameters.Length)
        {
            throw new InvalidDataException($"optimizer state has {count} parameters, the network {_parameters.Length}");
        }

        using var noGrad = torch.no_grad();
        for (var i = 0; i < count; i++)
        {
            _expAvg[i].Load(reader);
            _expAvgSq[i].Load(reader);
        }

        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var t in _expAvg.Concat(_expAvgSq))
        {
            t.Dispose();
        }
    }
}
