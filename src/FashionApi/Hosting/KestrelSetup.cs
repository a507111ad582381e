namespace FashionApi.Hosting;

/// <summary>Kestrel's limits come from the <c>Kestrel:Limits</c> configuration section (appsettings.json sets
/// defaults sized for one instance; environment variables such as <c>Kestrel__Limits__MaxConcurrentConnections</c>
/// override them), so that idle or slow connections cannot exhaust the process's file descriptors or memory: beyond
/// <c>MaxConcurrentConnections</c> new connections are closed at once. No <c>Server</c> header is sent.</summary>
public static class KestrelSetup
{
    public static WebApplicationBuilder ConfigureKestrelLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);
        });
        return builder;
    }
}
