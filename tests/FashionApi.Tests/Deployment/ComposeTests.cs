using FashionApi.Tests.Docker;
using YamlDotNet.RepresentationModel;
using static FashionApi.Tests.Deployment.KubernetesManifests;

namespace FashionApi.Tests.Deployment;

/// <summary>docker/compose.scale-out.yaml read with a YAML parser (no compose tool here): one trainer, serve replicas
/// built from the serve target, all on one volume at the image's model directory.</summary>
public class ComposeTests
{
    [Fact]
    public void The_scale_out_compose_file_runs_one_trainer_and_serve_replicas_on_one_volume()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(DockerfileModel.RepositoryRoot, "docker", "compose.scale-out.yaml")))
            stream.Load(reader);
        var services = Assert.IsType<YamlMappingNode>(Node(stream.Documents.Single().RootNode, "services")).Children
            .ToDictionary(s => Text(s.Key), s => Merged((YamlMappingNode)s.Value));
        var dockerfile = DockerfileModel.Load();
        string modelDirectory = dockerfile.RuntimeEnvironment["FashionApi__ModelDirectory"];

        var trainer = services["trainer"];
        Assert.Equal("train", Text(trainer, "environment", "FashionApi__Role"));
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
        Assert.Equal(ports.Count, ports.Select(p => p.Split(':')[0]).Distinct().Count());
        Assert.All(services.Values, s => Assert.Equal(["8080", "8081"], Sequence(s, "ports").Select(p => Text(p).Split(':')[1]).Order()));
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
