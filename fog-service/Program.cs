using FogLens.FogService;

var builder = WebApplication.CreateBuilder(args);
builder.AddFogServices();

var app = builder.Build();
app.MapFogEndpoints();
app.Run();

/// <summary>Entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
