"""Text primitives shared by chunking, embedding and answering: sentences, lexical normalisation."""
