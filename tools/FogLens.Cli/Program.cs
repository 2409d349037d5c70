using System.CommandLine;
using FogLens.Cli;

var root = new RootCommand("FogLens tools: demo launcher, update codec, age model and dataset tools.")
{
    DemoCommand.Create(),
    AgeCommand.Create(),
    CodecCommand.Create(),
    DataCommand.Create(),
    ExperimentCommand.Create(),
    PipelineCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
