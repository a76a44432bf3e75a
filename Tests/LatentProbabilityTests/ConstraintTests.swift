import LatentProbability
import Testing

@Test func constraintDescriptions() {
    #expect(Constraint.interval(lower: 0, upper: 1).description == "interval [0.0, 1.0]")
    #expect(Constraint.nonnegativeInteger(upper: nil).description == "nonnegative integer")
}
