"""The shared visual kit: recurring pieces (colours, heatmap, cloud, panels) so chapters stay short."""
