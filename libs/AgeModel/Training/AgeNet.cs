using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FogLens.AgeModel.Training;

/// <summary>
/// A plain VGG-style CNN for a fog CPU: stages of 3x3 conv + BatchNorm + ReLU with 2x2 max-pooling
/// between stages, global average pooling, dropout and a linear layer to 101 age logits.
/// The layer order is fixed so that the ONNX exporter can mirror it.
/// </summary>
public sealed class AgeNet : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> _convs = new();
    private readonly ModuleList<BatchNorm2d> _norms = new();
    private readonly Dropout _dropout;
    private readonly Linear _head;

    public AgeNet(AgeNetConfig config)
        : base(nameof(AgeNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var inChannels = 3;
        for (var s = 0; s < config.Widths.Length; s++)
        {
            for (var c = 0; c < config.ConvsPerStage[s]; c++)
            {
                _convs.Add(nn.Conv2d(inChannels, config.Widths[s], 3, padding: 1, bias: false));
                _norms.Add(nn.BatchNorm2d(config.Widths[s]));
                inChannels = config.Widths[s];
            }
        }

        _dropout = nn.Dropout(config.Dropout);
        _head = nn.Linear(inChannels, LabelDistribution.Bins);
        RegisterComponents();
    }

    public AgeNetConfig Config { get; }

    /// <summary>Conv/BN pairs in forward order, with whether a max-pool follows the pair.</summary>
    public IEnumerable<(Conv2d Conv, BatchNorm2d Norm, bool PoolAfter)> Blocks()
    {
        var i = 0;
        for (var s = 0; s < Config.Widths.Length; s++)
        {
            for (var c = 0; c < Config.ConvsPerStage[s]; c++, i++)
            {
                var last = c == Config.ConvsPerStage[s] - 1;
                yield return (_convs[i], _norms[i], last && s < Config.Widths.Length - 1);
            }
        }
    }

    public Linear Head => _head;

    /// <summary>
    /// Quantisation noise in the forward pass (training for int8 inference): when set, the input and every
    /// ReLU output go through fake quantisation with these scales and each convolution's weights through
    /// per-channel fake quantisation, exactly as <see cref="Onnx.AgeNetQdqExporter"/> quantises them;
    /// gradients pass straight through. Null (the default) runs in float.
    /// </summary>
    public ActivationScales? QuantizationNoise { get; set; }

    /// <summary>Number of quantised activations: the input and the output of each conv block.</summary>
    public int QuantizationPoints => Blocks().Count() + 1;

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    public override Tensor forward(Tensor input) => Run(input, null);

    /// <summary>
    /// Largest value of the input and of each block's ReLU output in this batch (in eval mode, no gradients):
    /// the calibration statistics of <see cref="ActivationScales"/>.
    /// </summary>
    public float[] ActivationMaxima(Tensor input)
    {
        var maxima = new float[QuantizationPoints];
        using var noGrad = no_grad();
        using var output = Run(input, maxima);
        return maxima;
    }

    private Tensor Run(Tensor input, float[]? observe)
    {
        using var scope = NewDisposeScope();
        var noise = QuantizationNoise;
        var x = input;
        if (observe is not null)
        {
            observe[0] = x.abs().max().item<float>();
        }

        if (noise is not null)
        {
            x = FakeQuant.Activation(x, noise.Input, FakeQuant.InputZeroPoint);
        }

        var i = 0;
        foreach (var (conv, norm, poolAfter) in Blocks())
        {
            var y = noise is null ? conv.forward(x) : nn.functional.conv2d(x, FakeQuant.WeightsPerChannel(conv.weight!), null, padding: [1, 1]);
            x = nn.functional.relu(BatchNorm(norm, y));
            i++;
            if (observe is not null)
            {
                observe[i] = x.max().item<float>();
            }

            if (noise is not null)
            {
                x = FakeQuant.Activation(x, noise.Blocks[i - 1], 0);
            }

            if (poolAfter)
            {
                x = nn.functional.max_pool2d(x, 2);
            }
        }

        x = x.mean([2, 3]);
        x = _dropout.forward(x);
        return _head.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// BatchNorm through the functional API with the module's own parameters and running statistics.
    /// TorchSharp's BatchNorm2d.forward increments num_batches_tracked with an implicitly converted
    /// Scalar that the GC may finalize during the native call, which crashed training after ~1000 steps;
    /// with a fixed momentum that counter is not needed.
    /// </summary>
    private Tensor BatchNorm(BatchNorm2d norm, Tensor x) =>
        nn.functional.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias, training, 0.1, 1e-5);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _convs.Dispose();
            _norms.Dispose();
            _dropout.Dispose();
            _head.Dispose();
        }

        base.Dispose(disposing);
    }
}
