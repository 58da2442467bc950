package dev.larder;

import java.util.List;

/** A definition file that cannot be served: every problem found, each as {@code file:line: what}. */
public final class DefinitionException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** An unmodifiable ArrayList-backed copy is not Serializable by type; the message carries the problems too. */
    private final transient List<String> problems;

    DefinitionException(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0) : problems.size() + " problems:\n  "
                + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code file:line: what}, in file order. */
    public List<String> problems() {
        return problems;
    }
}
