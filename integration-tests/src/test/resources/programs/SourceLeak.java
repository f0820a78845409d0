import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A single-file source program (java SourceLeak.java): its site must be its own line. */
public class SourceLeak {
    public static void main(String[] args) {
        List<ByteBuffer> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(ByteBuffer.allocateDirect(1_234_567));
        }
        System.out.println("held " + held.size());
    }
}
