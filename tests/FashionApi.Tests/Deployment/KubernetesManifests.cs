using FashionApi.Tests.Docker;
using YamlDotNet.RepresentationModel;

namespace FashionApi.Tests.Deployment;

/// <summary>deploy/kubernetes read with a YAML parser: every document of every file the kustomization lists, found by
/// kind and name, with small helpers to walk into mappings and sequences.</summary>
public sealed class KubernetesManifests
{
    public static string Directory => Path.Combine(DockerfileModel.RepositoryRoot, "deploy", "kubernetes");

    public YamlMappingNode Kustomization { get; }
    public IReadOnlyList<YamlMappingNode> Resources { get; }

    KubernetesManifests(YamlMappingNode kustomization, IReadOnlyList<YamlMappingNode> resources)
    {
        Kustomization = kustomization;
        Resources = resources;
    }

    public static KubernetesManifests Load()
    {
        var kustomization = (YamlMappingNode)Documents(Path.Combine(Directory, "kustomization.yaml")).Single();
        var resources = Sequence(kustomization, "resources").Select(Text)
            .SelectMany(file => Documents(Path.Combine(Directory, file))).Cast<YamlMappingNode>().ToList();
        return new KubernetesManifests(kustomization, resources);
    }

    static IEnumerable<YamlNode> Documents(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode);
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Resources.Where(r => Text(r, "kind") == kind);

    public YamlMappingNode Get(string kind, string name) =>
        Assert.Single(OfKind(kind), r => Text(r, "metadata", "name") == name);

    /// <summary>The node at a path of mapping keys; fails the test with the path when it is missing.</summary>
    public static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (string key in path)
        {
            var mapping = Assert.IsType<YamlMappingNode>(node);
            Assert.True(mapping.Children.TryGetValue(new YamlScalarNode(key), out var child), $"no '{key}' in {string.Join('.', path)}");
            node = child!;
        }
        return node;
    }

    public static YamlNode? Find(YamlNode node, params string[] path)
    {
        foreach (string key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var child)) return null;
            node = child;
        }
        return node;
    }

    public static string Text(YamlNode node, params string[] path) => Assert.IsType<YamlScalarNode>(Node(node, path)).Value!;
    public static string Text(YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value!;

    public static IReadOnlyList<YamlNode> Sequence(YamlNode node, params string[] path) =>
        Assert.IsType<YamlSequenceNode>(Node(node, path)).Children.ToList();

    /// <summary>A mapping of scalars (labels, selectors) as a dictionary.</summary>
    public static Dictionary<string, string> Map(YamlNode node, params string[] path) =>
        Assert.IsType<YamlMappingNode>(Node(node, path)).Children.ToDictionary(p => Text(p.Key), p => Text(p.Value));

    /// <summary>The single container of a Deployment's pod template.</summary>
    public static YamlMappingNode Container(YamlMappingNode deployment) =>
        Assert.IsType<YamlMappingNode>(Assert.Single(Sequence(deployment, "spec", "template", "spec", "containers")));
}
