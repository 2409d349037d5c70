using FogLens.EdgeAgent;
using FogLens.ServiceDefaults;

var command = EdgeCommandLine.Create(async (overrides, configFile, cancellationToken) =>
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
    if (configFile is not null)
    {
        builder.Configuration.AddJsonFile(configFile, optional: false);
    }

    builder.AddEdgeAgent(overrides);
    using var host = builder.Build();
    return await host.RunServiceAsync("edge-agent", cancellationToken);
});
return await command.Parse(args).InvokeAsync();
