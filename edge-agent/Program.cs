using FogLens.EdgeAgent;

var builder = Host.CreateApplicationBuilder(args);
builder.AddEdgeAgent();
builder.Build().Run();
