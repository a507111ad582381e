using FashionApi.Tests.Docker;
using YamlDotNet.RepresentationModel;
using static FashionApi.Tests.Deployment.KubernetesManifests;

namespace FashionApi.Tests.Deployment;

/// <summary>docker/compose.scale-out.yaml read with a YAML parser (no compose tool here): one trainer, serve replicas
/// built from the serve target, all on one volume at the image's model directory.</summary>
public class ComposeTests
{
    static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(DockerfileModel.RepositoryRoot, "docker", file)))
            stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    static Dictionary<string, YamlMappingNode> Services(YamlMappingNode compose) =>
        Assert.IsType<YamlMappingNode>(Node(compose, "services")).Children.ToDictionary(s => Text(s.Key), s => Merged((YamlMappingNode)s.Value));

    /// <summary>The list form (<c>- NAME=value</c>, or <c>- NAME</c> to pass the caller's variable through).</summary>
    static Dictionary<string, string?> Environment(YamlMappingNode service) =>
        Find(service, "environment") is null ? []
            : Sequence(service, "environment").Select(Text).ToDictionary(e => e.Split('=')[0], e => e.Contains('=') ? e[(e.IndexOf('=') + 1)..] : null);

    [Fact]
    public void The_scale_out_compose_file_runs_one_trainer_and_serve_replicas_on_one_volume()
    {
        var services = Services(Load("compose.scale-out.yaml"));
        var dockerfile = DockerfileModel.Load();
        string modelDirectory = dockerfile.RuntimeEnvironment["FashionApi__ModelDirectory"];

        var trainer = services["trainer"];
        Assert.Equal("train", Environment(trainer)["FashionApi__Role"]);
        Assert.Null(Find(trainer, "build", "target")); // the all-in-one default target

        var replicas = services.Where(s => s.Key != "trainer").Select(s => s.Value).ToList();
        Assert.True(replicas.Count >= 2);
        foreach (var replica in replicas)
        {
            string target = Text(replica, "build", "target");
            Assert.Contains(target, dockerfile.StageNames);
            Assert.Equal("serve", dockerfile.EnvironmentOf(target)["FashionApi__Role"]);
        }
        var volumes = services.Values.Select(s => Assert.Single(Sequence(s, "volumes").Select(Text))).Distinct().ToList();
        Assert.Equal($"models:{modelDirectory}", Assert.Single(volumes));
        // Each instance publishes REST and gRPC, on host ports no other instance uses.
        var ports = services.Values.SelectMany(s => Sequence(s, "ports").Select(Text)).ToList();
        Assert.Equal(2 * services.Count, ports.Count);
        Assert.Equal(ports.Count, ports.Select(p => HostAndContainerPort(p).Host).Distinct().Count());
        Assert.All(services.Values, s => Assert.Equal(["8080", "8081"], Sequence(s, "ports").Select(p => HostAndContainerPort(Text(p)).Container).Order()));
    }

    [Theory]
    [InlineData("compose.yaml")]
    [InlineData("compose.scale-out.yaml")]
    public void Both_compose_tools_substitute_every_variable_ports_are_on_loopback_the_key_passes_through_and_health_is_checked(string file)
    {
        string text = File.ReadAllText(Path.Combine(DockerfileModel.RepositoryRoot, "docker", file));
        // podman-compose 1.0 passes ${VAR:-} (an empty default) through as literal text; ${VAR:-x} both substitute.
        Assert.DoesNotMatch(@"\$\{[A-Za-z_]+:-\}", text);
        Assert.DoesNotMatch(@"\$\{[A-Za-z_]+\}", text);
        var dockerfile = DockerfileModel.Load();
        foreach (var (name, service) in Services(Load(file)))
        {
            foreach (string port in Sequence(service, "ports").Select(Text))
                Assert.StartsWith("${FASHIONAPI_BIND:-127.0.0.1}:", port);
            var test = Sequence(service, "healthcheck", "test").Select(Text).ToList();
            Assert.Equal("CMD", test[0]);
            // The image's own check (compose escapes $ as $$).
            string imageCheck = dockerfile.SingleRuntime("HEALTHCHECK").Arguments;
            Assert.Equal(System.Text.Json.JsonSerializer.Deserialize<string[]>(imageCheck[(imageCheck.IndexOf("CMD ") + 4)..]),
                test.Skip(1).Select(a => a.Replace("$$", "$")));
            if (Environment(service).TryGetValue("FashionApi__ApiKey", out string? key))
                Assert.Null(key); // passed through by name, never a value or an empty default
        }
    }

    /// <summary>"${FASHIONAPI_BIND:-127.0.0.1}:8080:8080" → (8080, 8080): the bind address's default holds a colon too.</summary>
    static (string Host, string Container) HostAndContainerPort(string mapping)
    {
        var parts = mapping[(mapping.IndexOf("}:") + 2)..].Split(':');
        return (parts[0], parts[1]);
    }

    /// <summary>Applies a YAML merge key (<c>&lt;&lt;: *anchor</c>), which the representation model leaves as a key.</summary>
    static YamlMappingNode Merged(YamlMappingNode service)
    {
        var merged = new YamlMappingNode();
        if (service.Children.TryGetValue(new YamlScalarNode("<<"), out var baseNode))
            foreach (var pair in ((YamlMappingNode)baseNode).Children) merged.Children[pair.Key] = pair.Value;
        foreach (var pair in service.Children.Where(p => Text(p.Key) != "<<")) merged.Children[pair.Key] = pair.Value;
        return merged;
    }
}
