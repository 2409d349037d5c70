using FogLens.FogService;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddEnvironmentVariables("FOGLENS_FOG_");
builder.AddFogServices();

var app = builder.Build();
app.MapFogEndpoints();
try
{
    app.Run();
}
catch (OptionsValidationException ex)
{
    Console.Error.WriteLine("fog-service: invalid configuration: " + string.Join("; ", ex.Failures));
    return 2;
}

return 0;

/// <summary>Entry point, public for tests.</summary>
public partial class Program;
