using Fluid;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// The member access strategy of every render: no member of any CLR type. The model reaches templates only as Liquid
/// values (<see cref="ModelValues"/>); should a CLR object ever become a value, none of its members can be read.
/// </summary>
internal sealed class NoClrMembers : MemberAccessStrategy
{
    public override MemberAccessor GetAccessor(Type type, string name, StringComparer stringComparer) => null!;

    public override void Register(Type type, string name, MemberAccessor accessor) =>
        throw new InvalidOperationException("Loyalty's templates read no CLR members; put values into the template model instead.");
}
