using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace FashionApi.Hosting;

/// <summary>
/// Behind a reverse proxy or an Ingress controller every connection comes from the proxy, so per-client limits would
/// put all clients in one bucket. <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are honoured only on
/// connections from <c>FashionApi:TrustedProxies</c> (addresses or CIDR networks such as <c>10.0.0.0/8</c>); from
/// anyone else they are ignored, so a client cannot pick its own identity. Empty (the default): never honoured.
/// One hop is taken (the address the nearest trusted proxy saw).
/// </summary>
public static class ForwardedHeadersSetup
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<FashionApiOptions>>((forwarded, api) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The framework trusts loopback by default; only what is configured is trusted here.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (string entry in api.Value.TrustedProxies)
            {
                // An invalid entry is reported by the options' validation, which stops start-up.
                if (System.Net.IPNetwork.TryParse(entry, out var network) && entry.Contains('/')) forwarded.KnownIPNetworks.Add(network);
                else if (IPAddress.TryParse(entry, out var address)) forwarded.KnownProxies.Add(address);
            }
        });
        return services;
    }

    /// <summary>Only with proxies configured: the framework's middleware given empty lists trusts every sender.</summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<FashionApiOptions>>().Value.TrustedProxies.Length > 0) app.UseForwardedHeaders();
        return app;
    }

    /// <summary>Whether <paramref name="entry"/> is an address or a CIDR network.</summary>
    public static bool IsValid(string entry) =>
        entry.Contains('/') ? System.Net.IPNetwork.TryParse(entry, out _) : IPAddress.TryParse(entry, out _);
}
