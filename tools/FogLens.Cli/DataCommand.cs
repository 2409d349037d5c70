using System.CommandLine;
using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using Spectre.Console;

namespace FogLens.Cli;

/// <summary>`./foglens data partition`: per-fog file lists (not image copies) for demos, tests and experiments.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Dataset tools.");
        var data = AgeCommand.DataOption();
        var fogs = new Option<int>("--fogs") { Description = "Number of fogs.", DefaultValueFactory = _ => 4 };
        var scheme = new Option<string>("--scheme") { Description = "iid, dirichlet, age-skew or race-skew.", DefaultValueFactory = _ => "iid" };
        var alpha = new Option<double>("--alpha") { Description = "Dirichlet concentration (smaller = more skewed).", DefaultValueFactory = _ => 0.5 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var split = new Option<string>("--split") { Description = "Which faces: train (default), val or all.", DefaultValueFactory = _ => "train" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for fog-1.txt ... fog-N.txt.", Required = true };
        var partition = new Command("partition", "Split the dataset across fogs and write one file list per fog (names relative to --data).")
        {
            data, fogs, scheme, alpha, seed, split, output,
        };
        partition.SetAction(result =>
        {
            var samples = AgeCommand.LoadSplit(result.GetRequiredValue(data), result.GetRequiredValue(split));
            var parsed = DatasetPartitioner.ParseScheme(result.GetRequiredValue(scheme));
            var groups = AgeGroupSet.Default;
            var parts = DatasetPartitioner.Partition(samples, result.GetValue(fogs), parsed, result.GetValue(alpha), result.GetValue(seed), groups);
            var files = DatasetPartitioner.Write(parts, result.GetRequiredValue(output).FullName);
            var table = new Table().AddColumn("fog").AddColumn("faces");
            foreach (var g in groups.Groups)
            {
                table.AddColumn(g.Label);
            }

            for (var f = 0; f < parts.Count; f++)
            {
                var counts = new int[groups.Count];
                foreach (var s in parts[f])
                {
                    counts[groups.IndexOf(LabelDistribution.Clamp(s.Label.Age))]++;
                }

                table.AddRow([Path.GetFileName(files[f]), parts[f].Count.ToString(System.Globalization.CultureInfo.InvariantCulture), .. counts.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            }

            AnsiConsole.Write(table);
            return 0;
        });
        command.Subcommands.Add(partition);
        return command;
    }
}
