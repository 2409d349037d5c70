using System.Text;

namespace FogLens.Federated.Experiments;

/// <summary>How a run departs from plain FedAvg (codec levers, server optimiser, trainable layers): the text of report tables and the suffix of run names.</summary>
public static class ExperimentLevers
{
    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>The levers of a run that differ from plain FedAvg, for tables ("—" when none).</summary>
    public static string Describe(ExperimentOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var defaults = new ExperimentOptions();
        var parts = new List<string>();
        if (o.Trainable != "all")
        {
            parts.Add(o.Trainable == "last-blocks" ? $"last {o.TrainableBlocks} blocks + head" : o.Trainable);
        }

        if (o.FreezeStatistics)
        {
            parts.Add("BN statistics frozen");
        }

        if (o.LocalEpochs != 1)
        {
            parts.Add($"{o.LocalEpochs} local epochs");
        }

        if (!o.LearningRate.Equals(defaults.LearningRate))
        {
            parts.Add(string.Create(Inv, $"local lr {o.LearningRate:G3}"));
        }

        if (o.ServerOptimizer != "sgd" || !o.ServerLearningRate.Equals(1) || o.ServerMomentum > 0)
        {
            parts.Add(string.Create(Inv, $"server {(o.ServerOptimizer == "sgd" ? (o.ServerMomentum > 0 ? "FedAvgM" : "SGD") : "FedAdam")} η {o.ServerLearningRate:G3}{(o.ServerMomentum > 0 ? $" β {o.ServerMomentum:G3}" : string.Empty)}"));
        }

        if (o.DenseMaxElements > 0)
        {
            parts.Add(string.Create(Inv, $"dense ≤ {o.DenseMaxElements} el."));
        }

        if (o.LearningRateDecay < 1)
        {
            parts.Add(string.Create(Inv, $"local lr ×{o.LearningRateDecay:G3} per round"));
        }

        if (o.BroadcastsDeltas)
        {
            parts.Add(string.Create(Inv, $"down: {o.Broadcast} deltas p {o.BroadcastSparsity:G3}{(o.BroadcastMaxGap > 0 ? $", gap ≤ {o.BroadcastMaxGap:G3}" : string.Empty)}"));
        }

        if (o.WarmupRounds > 0)
        {
            parts.Add(string.Create(Inv, $"warm-up {o.WarmupRounds} r from {o.WarmupStartSparsity:G3}"));
        }

        if (o.ClientMomentum > 0)
        {
            parts.Add(string.Create(Inv, $"DGC momentum {o.ClientMomentum:G3}"));
        }

        if (o.Byzantine > 0)
        {
            parts.Add(string.Create(Inv, $"{o.Byzantine} byzantine ({o.Attack})"));
        }

        if (o.Aggregator != "fedavg")
        {
            parts.Add(o.Aggregator == "trimmed-mean" ? string.Create(Inv, $"trimmed mean β {o.TrimFraction:G2}") : o.Aggregator);
        }

        if (o.NoiseMultiplier > 0)
        {
            parts.Add(string.Create(Inv, $"DP z {o.NoiseMultiplier:G3}, clip {o.ClipNorm:G3}, ε {PrivacyAccountant.Epsilon(o.NoiseMultiplier, o.Rounds, 1e-5):F1} at δ 1e-5"));
        }

        if (o.ClientClipNorm > 0)
        {
            parts.Add(string.Create(Inv, $"local clip {o.ClientClipNorm:G3}"));
        }

        if (o.GlobalSelection)
        {
            parts.Add("global top-k");
        }

        if (o.StatisticsErrorFeedback && o.Codec is not ("dense" or "q8"))
        {
            parts.Add("EF on BN statistics (pre-fix)");
        }

        return parts.Count == 0 ? "—" : string.Join("; ", parts);
    }

    /// <summary>Suffix of a default run name for the levers that differ from plain FedAvg ("" when none).</summary>
    public static string NameSuffix(ExperimentOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var defaults = new ExperimentOptions();
        var sb = new StringBuilder();
        sb.Append(o.Trainable switch { "head" => "-head", "last-blocks" => $"-last{o.TrainableBlocks}", _ => string.Empty });
        if (!o.LearningRate.Equals(defaults.LearningRate))
        {
            sb.Append(Inv, $"-lr{o.LearningRate:G3}");
        }

        if (o.FreezeStatistics)
        {
            sb.Append("-fs");
        }

        if (o.ServerOptimizer != "sgd")
        {
            sb.Append("-fedadam");
        }

        if (!o.ServerLearningRate.Equals(1))
        {
            sb.Append(Inv, $"-slr{o.ServerLearningRate:G3}");
        }

        if (o.ServerMomentum > 0)
        {
            sb.Append(Inv, $"-sm{o.ServerMomentum:G3}");
        }

        if (o.DenseMaxElements > 0)
        {
            sb.Append(Inv, $"-d{o.DenseMaxElements}");
        }

        if (o.LearningRateDecay < 1)
        {
            sb.Append(Inv, $"-lrd{o.LearningRateDecay:G3}");
        }

        if (o.BroadcastsDeltas)
        {
            sb.Append(Inv, $"-down{o.Broadcast}{o.BroadcastSparsity:G3}{(o.BroadcastMaxGap > 0 ? $"-gap{o.BroadcastMaxGap:G3}" : string.Empty)}");
        }

        if (o.WarmupRounds > 0)
        {
            sb.Append(Inv, $"-w{o.WarmupRounds}");
        }

        if (o.ClientMomentum > 0)
        {
            sb.Append(Inv, $"-cm{o.ClientMomentum:G3}");
        }

        if (o.ClientClipNorm > 0)
        {
            sb.Append(Inv, $"-cc{o.ClientClipNorm:G3}");
        }

        if (o.Byzantine > 0)
        {
            sb.Append(Inv, $"-byz{o.Byzantine}-{o.Attack}");
        }

        if (o.Aggregator != "fedavg")
        {
            sb.Append(Inv, $"-{o.Aggregator}");
        }

        if (o.Stragglers != 1 && o.StragglerRate > 0)
        {
            sb.Append(Inv, $"-strag{o.Stragglers}x{o.StragglerRate:G2}");
        }

        if (o.EnergyBounded)
        {
            sb.Append("-energy");
        }

        if (o.RelativeSampleCap > 0)
        {
            sb.Append(Inv, $"-rcap{o.RelativeSampleCap:G3}");
        }

        if (o.NoiseMultiplier > 0)
        {
            sb.Append(Inv, $"-dp{o.NoiseMultiplier:G3}-clip{o.ClipNorm:G3}");
        }

        if (o.StatisticsErrorFeedback && o.Codec is not ("dense" or "q8"))
        {
            sb.Append("-statef");
        }

        return sb.ToString();
    }
}
