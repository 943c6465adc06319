"""Operations: cleanup of expired rows, health checks (doctor)."""
