using System.Text.Json;

namespace FogLens.AgeModel.Training;

/// <summary>
/// Quantisation scales of an <see cref="AgeNet"/>'s activations: the input (uint8 around zero point 128)
/// and each conv block's ReLU output (uint8 from 0), as in the int8 ONNX graph. Calibrated as the mean over
/// batches of each batch's largest value (the moving min/max observer of TensorFlow's and PyTorch's
/// quantisation tools), which clips rare outliers that a global maximum would spend the 8 bits on.
/// </summary>
public sealed record ActivationScales(float Input, float[] Blocks)
{
    /// <summary>Runs <paramref name="network"/> (in eval mode) over the batches and averages the per-batch maxima.</summary>
    public static ActivationScales Calibrate(AgeNet network, IEnumerable<float[]> batches, int inputSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(batches);
        var sums = new double[network.QuantizationPoints];
        var count = 0;
        var wasTraining = network.training;
        var noise = network.QuantizationNoise;
        network.QuantizationNoise = null;
        network.eval();
        try
        {
            foreach (var batch in batches)
            {
                var n = batch.Length / (3 * inputSize * inputSize);
                using var x = TorchSharp.torch.tensor(batch, [n, 3, inputSize, inputSize]);
                var maxima = network.ActivationMaxima(x);
                for (var i = 0; i < sums.Length; i++)
                {
                    sums[i] += maxima[i];
                }

                count++;
            }
        }
        finally
        {
            network.QuantizationNoise = noise;
            network.train(wasTraining);
        }

        if (count == 0)
        {
            throw new ArgumentException("no calibration batches", nameof(batches));
        }

        float Scale(double max, int levels) => (float)Math.Max(max / count / levels, 1e-8);
        return new ActivationScales(
            Scale(sums[0], FakeQuant.InputLevels),
            [.. sums.Skip(1).Select(s => Scale(s, FakeQuant.ActivationLevels))]);
    }

    /// <summary>Calibrates on the first <paramref name="faces"/> faces of <paramref name="data"/> (no augmentation), in batches of 64.</summary>
    public static ActivationScales Calibrate(AgeNet network, StagedFaceSet data, int faces)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(faces);
        return Calibrate(network, Batches(data, Math.Min(faces, data.Count), 64), data.Preprocessor.InputSize);
    }

    private static IEnumerable<float[]> Batches(StagedFaceSet data, int faces, int batchSize)
    {
        var length = data.Preprocessor.TensorLength;
        for (var start = 0; start < faces; start += batchSize)
        {
            var count = Math.Min(batchSize, faces - start);
            var batch = new float[count * length];
            for (var b = 0; b < count; b++)
            {
                data.Preprocessor.ToTensor(data.Stage(start + b), batch.AsSpan(b * length, length), Imaging.Augmentation.Identity);
            }

            yield return batch;
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this);

    public static ActivationScales FromJson(string json) =>
        JsonSerializer.Deserialize<ActivationScales>(json) ?? throw new InvalidDataException("empty activation scales");
}
