namespace Loyalty.Email.Templates;

/// <summary>
/// What the template model holds, so that start-up validation can tell <c>{{ customer.frist_name }}</c> from a real
/// member ("did you mean first_name?"). Members are declared as paths: <c>customer.first_name</c>,
/// <c>order.lines[].product_name</c> (<c>[]</c>: the items of a list), <c>event.properties.*</c> (<c>*</c>: any
/// member, not checked). A package or host that adds to the model (an <see cref="Composition.ITemplateModelContributor"/>)
/// declares what it adds here.
/// </summary>
public sealed class TemplateModelShape
{
    private readonly Dictionary<string, Node> _roots = new(StringComparer.Ordinal);

    /// <summary>The model's top-level names.</summary>
    public IEnumerable<string> Roots => _roots.Keys;

    /// <summary>The model Loyalty.Email builds (customer, shop, event, links, order, issue, milestone, review).</summary>
    public static TemplateModelShape CreateDefault()
    {
        var shape = new TemplateModelShape();
        shape.Declare("customer.id", "customer.email", "customer.first_name", "customer.last_name", "customer.name", "customer.locale",
            "customer.time_zone", "customer.order_count");
        shape.Declare("shop.name", "shop.url", "shop.postal_address");
        shape.Declare("event.id", "event.type", "event.occurred_at", "event.properties.*");
        shape.Declare("links.shop", "links.unsubscribe", "links.preferences");
        shape.Declare("order.id", "order.placed_at", "order.currency", "order.item_count", "order.lines[].sku", "order.lines[].product_name",
            "order.lines[].quantity", "order.lines[].tags[]", "order.lines[].url");
        shape.DeclareMoney("order.total", "order.lines[].unit_price", "order.lines[].line_total");
        shape.Declare("issue.id", "issue.kind", "issue.severity", "issue.order_id");
        shape.DeclareMoney("issue.credit");
        shape.Declare("milestone.key", "milestone.name", "milestone.order_id");
        shape.Declare("review.sku", "review.rating", "review.text", "review.url", "review.product_name", "review.order_id");
        return shape;
    }

    /// <summary>Declares members by path; declaring one twice is harmless.</summary>
    public TemplateModelShape Declare(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var path in paths)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            var segments = path.Split('.');
            var node = Child(_roots, segments[0]);
            for (var i = 1; i < segments.Length; i++)
            {
                if (segments[i] == "*")
                {
                    node.IsOpen = true;
                    continue;
                }

                node = Child(node.Members ??= new(StringComparer.Ordinal), segments[i]);
            }
        }

        return this;
    }

    /// <summary>Declares amounts with their currency (a <see cref="MoneyValue"/>: <c>amount</c>, <c>currency</c>).</summary>
    public TemplateModelShape DeclareMoney(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Declare(paths.SelectMany(p => new[] { p + ".amount", p + ".currency" }).ToArray());
    }

    /// <summary>True when <paramref name="root"/> is a top-level name of the model.</summary>
    public bool HasRoot(string root) => _roots.ContainsKey(root);

    internal Node? Root(string name) => _roots.GetValueOrDefault(name);

    private static Node Child(Dictionary<string, Node> members, string segment)
    {
        var name = segment.EndsWith("[]", StringComparison.Ordinal) ? segment[..^2] : segment;
        ArgumentException.ThrowIfNullOrEmpty(name, nameof(segment));
        var node = members.TryGetValue(name, out var found) ? found : members[name] = new Node();
        return name.Length < segment.Length ? node.Items ??= new Node() : node;
    }

    /// <summary>One value of the model: its members, or the shape of its items when it is a list.</summary>
    internal sealed class Node
    {
        public Dictionary<string, Node>? Members { get; set; }

        public Node? Items { get; set; }

        /// <summary>Any member may be read (not checked).</summary>
        public bool IsOpen { get; set; }
    }
}
