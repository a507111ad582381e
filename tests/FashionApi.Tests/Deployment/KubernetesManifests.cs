using FashionApi.Tests.Docker;
using YamlDotNet.RepresentationModel;

namespace FashionApi.Tests.Deployment;

/// <summary>deploy/kubernetes as kustomize renders it (<c>kubectl kustomize</c>, offline: what <c>kubectl apply -k</c>
/// would send, with the namespace, the generated Secret, the images and the parameters applied), read with a YAML
/// parser and found by kind and name, with small helpers to walk into mappings and sequences. The base is rendered
/// from a copy given a made-up key file, since the real one (<c>secrets/api-key</c>) is never committed.</summary>
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

    /// <summary>The key the rendered Secret holds.</summary>
    public const string RenderedKey = "key-for-rendering-the-base-0123456789";

    static readonly Lazy<string> Rendered = new(Render);

    public static KubernetesManifests Load()
    {
        var kustomization = (YamlMappingNode)Documents(File.ReadAllText(Path.Combine(Directory, "kustomization.yaml"))).Single();
        return new KubernetesManifests(kustomization, Documents(Rendered.Value).Cast<YamlMappingNode>().ToList());
    }

    static string Render()
    {
        using var copy = new Infrastructure.TempDirectory();
        foreach (string file in System.IO.Directory.GetFiles(Directory, "*.yaml"))
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        System.IO.Directory.CreateDirectory(Path.Combine(copy.Path, "secrets"));
        File.WriteAllText(Path.Combine(copy.Path, "secrets", "api-key"), RenderedKey);
        var start = new System.Diagnostics.ProcessStartInfo("kubectl", ["kustomize", copy.Path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var kubectl = System.Diagnostics.Process.Start(start)!;
        var output = kubectl.StandardOutput.ReadToEndAsync();
        string error = kubectl.StandardError.ReadToEnd();
        kubectl.WaitForExit();
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize exited with {kubectl.ExitCode}: {error}");
        return output.Result;
    }

    static IEnumerable<YamlNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => d.RootNode);
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Resources.Where(r => Text(r, "kind") == kind);

    public YamlMappingNode Get(string kind, string name) =>
        Assert.Single(OfKind(kind), r => Text(r, "metadata", "name") == name);

    /// <summary>A generated object, whose name carries a hash of its content after the given prefix.</summary>
    public YamlMappingNode Generated(string kind, string prefix) =>
        Assert.Single(OfKind(kind), r => Text(r, "metadata", "name").StartsWith(prefix + "-"));

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

    /// <summary>The container of a Deployment's pod template that runs the service (init containers aside).</summary>
    public static YamlMappingNode Container(YamlMappingNode deployment) =>
        Assert.IsType<YamlMappingNode>(Assert.Single(Sequence(deployment, "spec", "template", "spec", "containers")));
}
