using System.Globalization;

namespace FogLens.Federated;

/// <summary>
/// Running estimate of the synchronous step energy for the energy-bounded asynchronous mode
/// (<see cref="AggregationOptions.EnergyBounded"/>): an exponential average of each round's on-time step energy
/// (<see cref="UpdateAccumulator.SyncEnergy"/>), kept between rounds in a one-line text file.
/// </summary>
public sealed class EnergyEstimate
{
    /// <summary>The estimate; null before the first round with on-time updates.</summary>
    public double? Value { get; private set; }

    /// <summary>Folds in a round's synchronous step energy (ignored when 0: no on-time update).</summary>
    public void Observe(double syncEnergy, double momentum)
    {
        if (!(syncEnergy > 0) || !double.IsFinite(syncEnergy))
        {
            return;
        }

        Value = Value is { } v ? (momentum * v) + ((1 - momentum) * syncEnergy) : syncEnergy;
    }

    /// <summary>Reads the estimate; a missing file is an empty estimate, a damaged one an <see cref="InvalidDataException"/>.</summary>
    public static EnergyEstimate Load(string path)
    {
        var estimate = new EnergyEstimate();
        if (!File.Exists(path))
        {
            return estimate;
        }

        var text = File.ReadAllText(path).Trim();
        estimate.Value = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
            ? v
            : throw new InvalidDataException($"{path}: '{text}' is not a positive energy estimate");
        return estimate;
    }

    /// <summary>Writes the estimate (nothing when it is empty), atomically.</summary>
    public void Save(string path)
    {
        if (Value is not { } v)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path + ".tmp", v.ToString("R", CultureInfo.InvariantCulture));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
