import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

private final class Renamed: Module {
    @Parameter var scale: Tensor
    @Buffer var runningTotal: Tensor
    let blocks: [Renamed]
    let head: Renamed?
    override class var stateKeys: [String: String] { ["runningTotal": "running_total", "blocks": ""] }
    init(depth: Int) {
        _scale = Parameter(.ones([2]))
        _runningTotal = Buffer(.zeros([1]))
        blocks = depth > 0 ? [Renamed(depth: depth - 1)] : []
        head = depth > 0 ? Renamed(depth: 0) : nil
    }
}

private final class InlinedChild: Module {
    let body: Renamed
    override class var stateKeys: [String: String] { ["body": ""] }
    override init() { body = Renamed(depth: 0) }
}

@Suite struct ModuleStateKeyTests {
    @Test func renamedAndInlinedPaths() throws {
        let m = Renamed(depth: 1)
        #expect(m.state().keys.sorted() == ["0.running_total", "0.scale", "head.running_total", "head.scale",
                                            "running_total", "scale"])
        var state = m.state()
        state["0.running_total"] = Tensor([5])
        try m.load(state: state)
        #expect(m.blocks[0].runningTotal.scalars == [5])
        #expect(m.description.contains("(0): Renamed"))
        // A single inlined module: its tensors join the parent's namespace.
        let c = InlinedChild()
        #expect(c.state().keys.sorted() == ["running_total", "scale"])
        c.eval()
        #expect(!c.body.isTraining)
        let grads = gradient(of: c) { ($0.body.scale * Float(3)).sum() }
        expectClose(grads["scale"]!, Tensor([3, 3]))
    }
}
