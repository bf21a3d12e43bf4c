using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Loyalty.Email.HtmlEmail;

/// <summary>
/// The plain-text part for templates without <c>text.liquid</c>, from the HTML's document tree (AngleSharp): paragraphs
/// and headings as blocks, lists as <c>- item</c> (<c>1. item</c> when ordered, nested lists indented), table rows as
/// lines, links as <c>text (url)</c>, images as their alt text; scripts, styles and comments — Outlook's conditional
/// comments among them — dropped.
/// </summary>
internal static class HtmlToText
{
    private static readonly HashSet<string> Hidden = new(StringComparer.OrdinalIgnoreCase) { "head", "script", "style", "template", "noscript", "title" };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "table", "tr", "blockquote", "section", "header", "footer", "article", "main", "aside", "nav", "center",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre", "address", "dl", "dt", "dd", "form", "fieldset",
    };

    public static string Convert(string html)
    {
        var document = new HtmlParser().ParseDocument(html ?? string.Empty);
        var writer = new PlainText();
        writer.Children(document.Body ?? (INode)document);
        return writer.ToString();
    }

    private sealed class PlainText
    {
        private readonly StringBuilder _text = new();
        private int _pendingBreaks;
        private int _listDepth;
        private bool _lineHasText; // a list item's "- " prefix is not text: the item's text still starts its line

        public void Children(INode node)
        {
            foreach (var child in node.ChildNodes)
            {
                Node(child);
            }
        }

        public override string ToString()
        {
            var lines = _text.ToString().Split('\n').Select(l => l.TrimEnd());
            return string.Join('\n', lines).Trim('\n', ' ');
        }

        private void Node(INode node)
        {
            switch (node)
            {
                case IText text:
                    Write(Collapse(text.Data));
                    break;
                case IElement element:
                    Element(element);
                    break;
            }
        }

        private void Element(IElement element)
        {
            var name = element.LocalName;
            if (Hidden.Contains(name))
            {
                return;
            }

            switch (name)
            {
                case "br":
                    _text.Append('\n');
                    _pendingBreaks = 0;
                    _lineHasText = false;
                    return;
                case "img":
                    Write(Collapse(element.GetAttribute("alt") ?? string.Empty));
                    return;
                case "a":
                    Link(element);
                    return;
                case "ul" or "ol":
                    List(element, ordered: name == "ol");
                    return;
                case "td" or "th" when element.PreviousElementSibling is not null:
                    Write(" ");
                    Children(element);
                    return;
            }

            var block = Blocks.Contains(name);
            var breaks = name is "tr" or "dt" or "dd" ? 1 : 2;
            if (block)
            {
                Break(breaks);
            }

            Children(element);
            if (block)
            {
                Break(breaks);
            }
        }

        private void Link(IElement link)
        {
            var inner = new PlainText();
            inner.Children(link);
            var label = inner.ToString().Replace('\n', ' ').Trim();
            var url = (link.GetAttribute("href") ?? string.Empty).Trim();
            if (url.Length == 0 || url.StartsWith('#') || url.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
            {
                Write(label);
            }
            else
            {
                Write(label.Length == 0 || label == url ? url : $"{label} ({url})");
            }
        }

        private void List(IElement list, bool ordered)
        {
            Break(_listDepth == 0 ? 2 : 1);
            _listDepth++;
            var number = 1;
            foreach (var item in list.Children.Where(c => c.LocalName == "li"))
            {
                Break(1);
                Write(new string(' ', 2 * (_listDepth - 1)) + (ordered ? $"{number++}. " : "- "), raw: true);
                Children(item);
            }

            _listDepth--;
            Break(_listDepth == 0 ? 2 : 1);
        }

        private void Break(int count) => _pendingBreaks = Math.Max(_pendingBreaks, count);

        private void Write(string text, bool raw = false)
        {
            if (text.Length == 0 || (!raw && string.IsNullOrWhiteSpace(text) && !_lineHasText))
            {
                return;
            }

            if (_pendingBreaks > 0 && _text.Length > 0)
            {
                TrimTrailingSpaces();
                var have = 0;
                for (var i = _text.Length - 1; i >= 0 && _text[i] == '\n'; i--)
                {
                    have++;
                }

                _text.Append('\n', Math.Max(0, _pendingBreaks - have));
                _lineHasText = false;
            }

            _pendingBreaks = 0;
            _text.Append(!_lineHasText && !raw ? text.TrimStart() : text);
            _lineHasText |= !raw;
        }

        private void TrimTrailingSpaces()
        {
            while (_text.Length > 0 && _text[^1] == ' ')
            {
                _text.Length--;
            }
        }

        private static string Collapse(string text)
        {
            var builder = new StringBuilder(text.Length);
            var space = false;
            foreach (var c in text)
            {
                if (char.IsWhiteSpace(c))
                {
                    space = true;
                    continue;
                }

                if (space)
                {
                    builder.Append(' ');
                    space = false;
                }

                builder.Append(c);
            }

            if (space)
            {
                builder.Append(' ');
            }

            return builder.ToString();
        }
    }
}
