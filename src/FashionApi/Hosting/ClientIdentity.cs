using System.Net;
using System.Net.Sockets;

namespace FashionApi.Hosting;

/// <summary>Who a request comes from, for per-client limits: the caller's address (after the forwarded headers of
/// trusted proxies are applied, see <see cref="ForwardedHeadersSetup"/>), with IPv6 addresses grouped by their /64
/// prefix, since one host or home network usually holds a whole /64 and could otherwise take a fresh address, and
/// with it a fresh allowance, for every request. IPv4-mapped IPv6 addresses count as the IPv4 address.</summary>
public static class ClientIdentity
{
    public static string Of(HttpContext context) => Of(context.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address)) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return $"{new IPAddress(bytes)}/64";
    }
}
