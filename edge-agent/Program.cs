using FogLens.EdgeAgent;
using Microsoft.Extensions.Options;

var command = EdgeCommandLine.Create(async (overrides, configFile, cancellationToken) =>
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
    if (configFile is not null)
    {
        builder.Configuration.AddJsonFile(configFile, optional: false);
    }

    builder.Configuration.AddEnvironmentVariables(EdgeCommandLine.EnvironmentPrefix);
    builder.Configuration.AddInMemoryCollection(overrides);
    builder.AddEdgeAgent();
    try
    {
        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
        return 0;
    }
    catch (OptionsValidationException ex)
    {
        await Console.Error.WriteLineAsync("edge-agent: invalid configuration: " + string.Join("; ", ex.Failures));
        return 2;
    }
});
return await command.Parse(args).InvokeAsync();
